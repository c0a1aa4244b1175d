package dev.lambdacntr.cli.exec;

import java.io.IOException;
import java.io.InputStream;

/**
 * An interactive session on the local terminal: raw mode (every key, Ctrl-C included, goes to the
 * remote shell), window size changes forwarded, and the terminal restored on every way out,
 * including a signal that ends the JVM.
 */
public final class TerminalSession {

  private static final int STDIN = 0;

  private TerminalSession() {}

  /** Told each size the session is given: the first, then every change. */
  public interface SizeListener {
    void sized(int columns, int rows);
  }

  /** Runs the session on the process's terminal; stdin must be a terminal. */
  public static ExecOutcome run(ExecStream stream, InputStream stdin) {
    return run(stream, stdin, (columns, rows) -> {});
  }

  /** Runs the session as {@link #run(ExecStream, InputStream)}, telling {@code sizes} each size. */
  public static ExecOutcome run(ExecStream stream, InputStream stdin, SizeListener sizes) {
    TerminalModes modes = TerminalModes.save(STDIN);
    Thread restore = new Thread(() -> restore(modes), "lambda-cntr-restore-terminal");
    Runtime.getRuntime().addShutdownHook(restore);
    try (WindowSize.Listening _ = WindowSize.onChange(() -> sendSize(stream, sizes))) {
      modes.makeRaw();
      sendSize(stream, sizes);
      return PipedSession.run(stream, stdin);
    } finally {
      restore(modes);
      try {
        Runtime.getRuntime().removeShutdownHook(restore);
        modes.close();
      } catch (IllegalStateException e) {
        // the JVM is already shutting down; the hook restores the terminal
      }
    }
  }

  private static void sendSize(ExecStream stream, SizeListener sizes) {
    WindowSize.of(STDIN)
        .ifPresent(
            size -> {
              sizes.sized(size.columns(), size.rows());
              try {
                stream.resize(size.columns(), size.rows());
              } catch (IOException e) {
                // the session is ending; nothing left to resize
              }
            });
  }

  /** Puts back the exact saved modes. */
  private static synchronized void restore(TerminalModes modes) {
    try {
      modes.restore();
    } catch (RuntimeException e) {
      // best effort: the terminal may already be gone
    }
  }
}
