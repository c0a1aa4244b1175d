package dev.lambdacntr.nodeagent;

import dev.lambdacntr.protocol.Json;

/**
 * The {@code v1 Status} that ends a session on channel 3, exactly as the kubelet writes it for
 * pods/exec, so that the CLI reads the exit status as it does there: {@code Success}, or {@code
 * Failure} with reason {@code NonZeroExitCode} and the status as the message of the cause {@code
 * ExitCode}. The agent's own failures are statuses too (120-127).
 */
final class ExecStatus {
  private ExecStatus() {}

  static String of(int exitStatus, String command) {
    if (exitStatus == 0) {
      return "{\"metadata\":{},\"status\":\"Success\"}";
    }
    String message =
        "command terminated with non-zero exit code: error executing command "
            + command
            + ", exit code "
            + exitStatus;
    return "{\"metadata\":{},\"status\":\"Failure\",\"message\":"
        + Json.quote(message)
        + ",\"reason\":\"NonZeroExitCode\",\"details\":{\"causes\":[{\"reason\":\"ExitCode\","
        + "\"message\":\""
        + exitStatus
        + "\"}]}}";
  }
}
