package dev.lambdacntr.cntrfs.sys;

/** Rethrows what a method handle threw without widening every signature to Throwable. */
final class Unchecked {
  private Unchecked() {}

  static RuntimeException wrap(Throwable t) {
    if (t instanceof RuntimeException r) {
      throw r;
    }
    if (t instanceof Error e) {
      throw e;
    }
    return new IllegalStateException("native call failed", t);
  }
}
