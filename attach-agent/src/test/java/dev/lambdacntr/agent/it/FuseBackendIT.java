package dev.lambdacntr.agent.it;

/** The session contract with the FUSE backend: the tools root served by cntrfs from the JVM. */
class FuseBackendIT extends AttachSessionTests {
  @Override
  String backend() {
    return "fuse";
  }
}
