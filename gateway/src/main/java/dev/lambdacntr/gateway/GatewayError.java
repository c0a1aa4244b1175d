package dev.lambdacntr.gateway;

import dev.lambdacntr.protocol.ExitCode;

/**
 * The HTTP status and Kubernetes {@code Status.reason} a refusal with an {@link ExitCode} is
 * answered with. The exit code itself travels in the Status's causes ({@link StatusResponses}), so
 * the CLI exits with exactly the code direct mode would have used.
 */
public record GatewayError(int httpCode, String reason) {

  /** The HTTP answer for a refusal with {@code code}. */
  public static GatewayError of(ExitCode code) {
    return switch (code) {
      case USAGE, CONTAINER_AMBIGUOUS, CONTAINER_UNSUPPORTED -> new GatewayError(400, "BadRequest");
      case UNAUTHENTICATED -> new GatewayError(401, "Unauthorized");
      case FORBIDDEN, REASON_REQUIRED -> new GatewayError(403, "Forbidden");
      case POD_NOT_FOUND, CONTAINER_NOT_FOUND -> new GatewayError(404, "NotFound");
      case POD_NOT_RUNNING, CONTAINER_NOT_RUNNING -> new GatewayError(409, "Conflict");
      case AGENT_FAILED, CLUSTER_UNREACHABLE -> new GatewayError(503, "ServiceUnavailable");
      case TIMEOUT -> new GatewayError(504, "Timeout");
      default -> new GatewayError(500, "InternalError");
    };
  }
}
