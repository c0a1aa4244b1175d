package dev.lambdacntr.agent.it;

/** The session contract with the mount API backend. */
class MountBackendIT extends AttachSessionTests {
  @Override
  String backend() {
    return "mount";
  }
}
