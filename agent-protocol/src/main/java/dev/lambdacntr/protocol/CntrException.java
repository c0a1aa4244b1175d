package dev.lambdacntr.protocol;

/**
 * The one exception type of lambda-cntr. Its message is meant for the user as is: it names the
 * object, the operation and, for system calls, the errno ("cannot enter mount namespace of pid
 * 4711: EPERM"). The exit code says which kind of failure it was.
 */
public final class CntrException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ExitCode exitCode;

  public CntrException(ExitCode exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  public CntrException(ExitCode exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  public ExitCode exitCode() {
    return exitCode;
  }
}
