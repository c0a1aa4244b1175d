package dev.lambdacntr.agent;

/**
 * Step timings on stderr when {@code LAMBDA_CNTR_TRACE=1}: what the attach-latency benchmark and a
 * puzzled operator read. Silent otherwise.
 */
public final class Trace {
  private static final boolean ON = "1".equals(System.getenv("LAMBDA_CNTR_TRACE"));
  private static final long START = System.nanoTime();

  private Trace() {}

  public static void step(String what) {
    if (ON) {
      System.err.printf(
          "lambda-cntr-agent: %7.2f ms %s%n", (System.nanoTime() - START) / 1e6, what);
    }
  }
}
