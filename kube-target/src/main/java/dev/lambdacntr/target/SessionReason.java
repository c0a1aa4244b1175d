package dev.lambdacntr.target;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import java.util.Optional;

/**
 * Why a session is opened ({@code --reason}, {@code LAMBDA_CNTR_REASON}, the gateway's query
 * parameter {@code reason}): one line of text, written into the audit Event. The CLI and the
 * gateway check it alike. Pure.
 */
public final class SessionReason {

  /** The longest reason accepted, in characters. */
  public static final int MAX_LENGTH = 1024;

  private SessionReason() {}

  /**
   * The reason, checked: absent stays absent; a given one must be one line of at most {@link
   * #MAX_LENGTH} characters with something in it, else a {@link ExitCode#USAGE} refusal naming
   * {@code origin} (such as {@code --reason}).
   */
  public static Optional<String> check(Optional<String> reason, String origin) {
    if (reason.isEmpty()) {
      return reason;
    }
    String text = reason.get().strip();
    if (text.isEmpty()) {
      throw new CntrException(ExitCode.USAGE, origin + ": the reason must not be empty");
    }
    if (text.length() > MAX_LENGTH) {
      throw new CntrException(
          ExitCode.USAGE,
          origin
              + ": the reason is "
              + text.length()
              + " characters long; at most "
              + MAX_LENGTH
              + " are recorded");
    }
    if (text.chars().anyMatch(Character::isISOControl)) {
      throw new CntrException(
          ExitCode.USAGE,
          origin + ": the reason must be one line of text, without control characters");
    }
    return Optional.of(text);
  }
}
