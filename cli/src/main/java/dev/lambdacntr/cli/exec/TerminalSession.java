package dev.lambdacntr.cli.exec;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.EnumSet;
import org.jline.terminal.Attributes;
import org.jline.terminal.Attributes.ControlChar;
import org.jline.terminal.Attributes.ControlFlag;
import org.jline.terminal.Attributes.InputFlag;
import org.jline.terminal.Attributes.LocalFlag;
import org.jline.terminal.Attributes.OutputFlag;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * An interactive session on the local terminal: raw mode (every key, Ctrl-C included, goes to the
 * remote shell), window size changes forwarded, and the terminal restored on every way out,
 * including a signal that ends the JVM.
 */
public final class TerminalSession {

  private TerminalSession() {}

  /** Runs the session on the process's terminal; stdin must be a terminal. */
  public static ExecOutcome run(ExecStream stream, InputStream stdin) {
    Terminal terminal = openTerminal();
    Attributes saved = terminal.getAttributes();
    Thread restore = new Thread(() -> restore(terminal, saved), "lambda-cntr-restore-terminal");
    Runtime.getRuntime().addShutdownHook(restore);
    try {
      terminal.setAttributes(raw(saved));
      terminal.handle(Terminal.Signal.WINCH, signal -> sendSize(stream, terminal));
      sendSize(stream, terminal);
      return PipedSession.run(stream, stdin);
    } finally {
      restore(terminal, saved);
      try {
        Runtime.getRuntime().removeShutdownHook(restore);
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

  /** The terminal attributes of {@code cfmakeraw}: no echo, no line editing, no signals. */
  static Attributes raw(Attributes original) {
    Attributes raw = new Attributes(original);
    raw.setInputFlags(
        EnumSet.of(
            InputFlag.IGNBRK,
            InputFlag.BRKINT,
            InputFlag.PARMRK,
            InputFlag.ISTRIP,
            InputFlag.INLCR,
            InputFlag.IGNCR,
            InputFlag.ICRNL,
            InputFlag.IXON),
        false);
    raw.setOutputFlag(OutputFlag.OPOST, false);
    raw.setLocalFlags(
        EnumSet.of(
            LocalFlag.ECHO, LocalFlag.ECHONL, LocalFlag.ICANON, LocalFlag.ISIG, LocalFlag.IEXTEN),
        false);
    raw.setControlFlags(EnumSet.of(ControlFlag.PARENB), false);
    raw.setControlFlag(ControlFlag.CS8, true);
    raw.setControlChar(ControlChar.VMIN, 1);
    raw.setControlChar(ControlChar.VTIME, 0);
    return raw;
  }

  private static void sendSize(ExecStream stream, Terminal terminal) {
    try {
      stream.resize(terminal.getWidth(), terminal.getHeight());
    } catch (IOException e) {
      // the session is ending; nothing left to resize
    }
  }

  private static synchronized void restore(Terminal terminal, Attributes saved) {
    try {
      terminal.setAttributes(saved);
      terminal.close();
    } catch (IOException | RuntimeException e) {
      // best effort: the terminal may already be gone
    }
  }
}
