package dev.lambdacntr.cli;

import dev.lambdacntr.cli.exec.ExecOutcome;
import dev.lambdacntr.cli.exec.ExecStream;
import dev.lambdacntr.cli.exec.PipedSession;
import dev.lambdacntr.cli.exec.TerminalSession;
import dev.lambdacntr.cli.record.AsciicastWriter;
import dev.lambdacntr.cli.record.RecordedInput;
import dev.lambdacntr.cli.record.RecordedOutput;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.target.Target;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A companion that also records the session ({@code --record}): the output on its way to the
 * terminal, the terminal's resizes, and with {@code --record-input} what the user types. Everything
 * else is {@code inner}'s.
 */
final class RecordingCompanion implements SessionCompanion {

  private final SessionCompanion inner;
  private final AsciicastWriter recording;
  private final boolean input;

  RecordingCompanion(SessionCompanion inner, AsciicastWriter recording, boolean input) {
    this.inner = inner;
    this.recording = recording;
    this.input = input;
  }

  @Override
  public void beforeExec(Target target) {
    inner.beforeExec(target);
  }

  @Override
  public OutputStream stdout(OutputStream stdout) {
    return new RecordedOutput(inner.stdout(stdout), recording);
  }

  @Override
  public ExecOutcome converse(ExecStream stream, boolean rawTerminal, InputStream stdin) {
    InputStream typed = input ? new RecordedInput(stdin, recording) : stdin;
    return rawTerminal
        ? TerminalSession.run(stream, typed, recording::resize)
        : PipedSession.run(stream, typed);
  }

  @Override
  public int afterExec(Target target, int status) {
    return inner.afterExec(target, status);
  }

  @Override
  public CntrException failed(Target target, CntrException failure) {
    return inner.failed(target, failure);
  }
}
