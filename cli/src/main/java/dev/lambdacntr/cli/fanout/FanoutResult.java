package dev.lambdacntr.cli.fanout;

import java.util.Optional;

/**
 * How the command went in one pod (and container).
 *
 * @param label {@code POD} or {@code POD/CONTAINER}, as its output lines are prefixed
 * @param status the exit status: the remote command's, or lambda-cntr's own for this target
 * @param failure why lambda-cntr could not run it there (empty when the command ran)
 */
public record FanoutResult(String label, int status, Optional<String> failure) {

  /** The command ran and exited with {@code status}. */
  public static FanoutResult ran(String label, int status) {
    return new FanoutResult(label, status, Optional.empty());
  }

  /** lambda-cntr could not run (or finish) the command there. */
  public static FanoutResult failed(String label, int status, String why) {
    return new FanoutResult(label, status, Optional.of(why));
  }

  public boolean succeeded() {
    return status == 0 && failure.isEmpty();
  }

  /** {@code web-1 (exit 3)} or {@code web-2 (timed out after 30s)}. */
  public String describe() {
    return label + " (" + failure.orElse("exit " + status) + ")";
  }
}
