package dev.lambdacntr.cli.exec;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.StatusDetails;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * A session refused by server mode's gateway: its v1 {@code Status} carries lambda-cntr's exit code
 * as the cause {@value #EXIT_CODE_CAUSE} (gateway/README.md), so the CLI exits as direct mode does,
 * with the gateway's message. Pure.
 */
public final class GatewayRefusal {

  /** The cause's reason; its message is the exit code. */
  public static final String EXIT_CODE_CAUSE = "lambda-cntr.dev/exit-code";

  private GatewayRefusal() {}

  /**
   * The refusal, when {@code body} holds a Status with our exit-code cause (found anywhere in the
   * text, which may wrap it); empty for every other refusal.
   */
  public static Optional<CntrException> of(
      int httpStatus, String body, Function<String, Status> statusReader) {
    Optional<Status> read = status(body, statusReader);
    if (read.isEmpty()) {
      return Optional.empty();
    }
    Status status = read.get();
    List<StatusCause> causes =
        Optional.ofNullable(status.getDetails()).map(StatusDetails::getCauses).orElse(List.of());
    for (StatusCause cause : causes) {
      if (EXIT_CODE_CAUSE.equals(cause.getReason())) {
        ExitCode code = exitCode(cause.getMessage()).orElse(ExitCode.AGENT_FAILED);
        String message =
            Optional.ofNullable(status.getMessage())
                .filter(m -> !m.isBlank())
                .orElse("the gateway refused the session: HTTP " + httpStatus);
        return Optional.of(new CntrException(code, message));
      }
    }
    return Optional.empty();
  }

  /**
   * A refusal of the API server itself on the way to the gateway (its Status carries no exit code):
   * 403 is FORBIDDEN and 401 UNAUTHENTICATED with the API server's message, which names the user,
   * the verb, the resource and the namespace; empty for anything else.
   */
  public static Optional<CntrException> ofApiServer(
      int httpStatus, String body, Function<String, Status> statusReader) {
    if (httpStatus != 401 && httpStatus != 403) {
      return Optional.empty();
    }
    return status(body, statusReader)
        .map(Status::getMessage)
        .filter(m -> !m.isBlank())
        .map(
            m ->
                httpStatus == 403
                    ? new CntrException(ExitCode.FORBIDDEN, "forbidden: " + m)
                    : new CntrException(ExitCode.UNAUTHENTICATED, "unauthenticated: " + m));
  }

  private static Optional<Status> status(String body, Function<String, Status> statusReader) {
    if (body == null) {
      return Optional.empty();
    }
    int start = body.indexOf('{');
    int end = body.lastIndexOf('}');
    if (start < 0 || end <= start) {
      return Optional.empty();
    }
    try {
      return Optional.ofNullable(statusReader.apply(body.substring(start, end + 1)));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  private static Optional<ExitCode> exitCode(String number) {
    try {
      int value = Integer.parseInt(number == null ? "" : number.trim());
      for (ExitCode code : ExitCode.values()) {
        if (code.code() == value) {
          return Optional.of(code);
        }
      }
    } catch (NumberFormatException e) {
      // an unreadable code: the caller's default
    }
    return Optional.empty();
  }
}
