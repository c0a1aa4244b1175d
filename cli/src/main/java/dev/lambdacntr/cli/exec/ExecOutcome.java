package dev.lambdacntr.cli.exec;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.StatusDetails;
import java.util.List;
import java.util.Optional;

/**
 * How a remote process ended, read from the {@code Status} the API server sends on the exec error
 * channel: success, a non-zero exit code, or a failure to run it at all.
 *
 * @param exitCode the process's exit status, when it ran
 * @param failure why it could not run, when it did not
 */
public record ExecOutcome(Optional<Integer> exitCode, Optional<String> failure) {

  public static ExecOutcome exited(int code) {
    return new ExecOutcome(Optional.of(code), Optional.empty());
  }

  public static ExecOutcome failed(String why) {
    return new ExecOutcome(Optional.empty(), Optional.of(why));
  }

  /** Interprets the status object of the error channel. */
  public static ExecOutcome of(Status status) {
    if ("Success".equals(status.getStatus())) {
      return exited(0);
    }
    if ("NonZeroExitCode".equals(status.getReason())) {
      List<StatusCause> causes =
          Optional.ofNullable(status.getDetails()).map(StatusDetails::getCauses).orElse(List.of());
      for (StatusCause cause : causes) {
        if ("ExitCode".equals(cause.getReason())) {
          try {
            return exited(Integer.parseInt(cause.getMessage().trim()));
          } catch (NumberFormatException e) {
            return failed("unreadable exit code '" + cause.getMessage() + "'");
          }
        }
      }
    }
    return failed(
        Optional.ofNullable(status.getMessage())
            .filter(m -> !m.isBlank())
            .orElse("status " + status.getStatus() + ", reason " + status.getReason()));
  }
}
