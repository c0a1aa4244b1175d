package dev.lambdacntr.cli;

import dev.lambdacntr.cli.exec.ExecOutcome;
import dev.lambdacntr.cli.exec.ExecStream;
import dev.lambdacntr.cli.exec.PipedSession;
import dev.lambdacntr.cli.exec.TerminalSession;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.target.Target;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * What runs alongside one session and may shape it: port forwards, the target's protection, the
 * watch that tells when the target goes, a debugger's own conversation. {@link SessionRunner} calls
 * it at each step; every method has the plain session's behaviour as its default.
 */
public interface SessionCompanion {

  /** Nothing alongside: a plain attach or execute. */
  SessionCompanion NONE = new SessionCompanion() {};

  /** The target is resolved, the agent ready and the session recorded; the exec comes next. */
  default void beforeExec(Target target) {}

  /** The stream the session's stdout goes to. */
  default OutputStream stdout(OutputStream stdout) {
    return stdout;
  }

  /** Carries the session's input and waits for its end: the terminal, or stdin as a pipe. */
  default ExecOutcome converse(ExecStream stream, boolean rawTerminal, InputStream stdin) {
    return rawTerminal ? TerminalSession.run(stream, stdin) : PipedSession.run(stream, stdin);
  }

  /** The session ended with {@code status}; returns the status to exit with, or throws. */
  default int afterExec(Target target, int status) {
    return status;
  }

  /** The session failed; returns the failure to report (the target's end may explain it). */
  default CntrException failed(Target target, CntrException failure) {
    return failure;
  }
}
