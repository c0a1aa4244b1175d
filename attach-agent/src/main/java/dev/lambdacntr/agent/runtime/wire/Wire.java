package dev.lambdacntr.agent.runtime.wire;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import dev.lambdacntr.protocol.Json;

/** Failures talking to a container runtime's API. */
public final class Wire {
  private Wire() {}

  /** A malformed or unexpected reply from the runtime. */
  static CntrException error(String message) {
    return new CntrException(ExitCode.AGENT_RUNTIME_ERROR, message);
  }

  /** A JSON reply parsed; malformed JSON is a runtime error naming the offset. */
  public static Object json(String reply) {
    try {
      return Json.parse(reply);
    } catch (IllegalArgumentException e) {
      throw error("runtime reply: " + e.getMessage());
    }
  }
}
