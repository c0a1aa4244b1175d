package dev.lambdacntr.cli.exec;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * An interactive session on the local terminal: raw mode (every key, Ctrl-C included, goes to the
 * remote shell), window size changes forwarded, and the terminal restored on every way out,
 * including a signal that ends the JVM.
 */
public final class TerminalSession {

  private static final int STDIN = 0;

  private TerminalSession() {}

  /** Runs the session on the process's terminal; stdin must be a terminal. */
  public static ExecOutcome run(ExecStream stream, InputStream stdin) {
    TerminalModes modes = TerminalModes.save(STDIN);
    Terminal terminal = openTerminal();
    Thread restore = new Thread(() -> restore(terminal, modes), "lambda-cntr-restore-terminal");
    Runtime.getRuntime().addShutdownHook(restore);
    try {
      modes.makeRaw();
      terminal.handle(Terminal.Signal.WINCH, signal -> sendSize(stream, terminal));
      sendSize(stream, terminal);
      return PipedSession.run(stream, stdin);
    } finally {
      restore(terminal, modes);
      try {
        Runtime.getRuntime().removeShutdownHook(restore);
        modes.close();
      } catch (IllegalStateException e) {
        // the JVM is already shutting down; the hook restores the terminal
      }
    }
  }

  private static Terminal openTerminal() {
    try {
      return TerminalBuilder.builder()
          .system(true)
          .provider("ffm")
          .nativeSignals(true)
          .signalHandler(Terminal.SignalHandler.SIG_DFL)
          .build();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the local terminal: " + e.getMessage(), e);
    }
  }

  private static void sendSize(ExecStream stream, Terminal terminal) {
    try {
      stream.resize(terminal.getWidth(), terminal.getHeight());
    } catch (IOException e) {
      // the session is ending; nothing left to resize
    }
  }

  /**
   * Closes jline's terminal, which puts back its own copy of the modes (lossy: see {@link
   * TerminalModes}), then the exact saved modes, last.
   */
  private static synchronized void restore(Terminal terminal, TerminalModes modes) {
    try {
      terminal.close();
    } catch (IOException | RuntimeException e) {
      // best effort: the terminal may already be gone
    }
    try {
      modes.restore();
    } catch (RuntimeException e) {
      // best effort: the terminal may already be gone
    }
  }
}
