package dev.lambdacntr.agent.runtime.wire;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;

/** Failures talking to a container runtime's API. */
final class Wire {
  private Wire() {}

  /** A malformed or unexpected reply from the runtime. */
  static CntrException error(String message) {
    return new CntrException(ExitCode.AGENT_RUNTIME_ERROR, message);
  }
}
