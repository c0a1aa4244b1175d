package dev.lambdacntr.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Progress lines on stderr, one per phase, each with the time since the CLI started: {@code
 * lambda-cntr [0.84s] creating agent on node n1}. A warm start stays silent: lines are held back
 * until {@link #cold} says the start is slow enough to explain itself. {@code -q} silences
 * everything, {@code -v} prints every line at once plus details.
 */
public final class Progress {

  /** How much to say. */
  public enum Level {
    QUIET,
    NORMAL,
    VERBOSE
  }

  private final PrintStream err;
  private final Level level;
  private final long startNanos;
  private final List<String> held = new ArrayList<>();
  private boolean cold;

  public Progress(PrintStream err, Level level, long startNanos) {
    this.err = err;
    this.level = level;
    this.startNanos = startNanos;
  }

  /** A phase of the start: printed at once when cold or verbose, else held back. */
  public synchronized void phase(String message) {
    String line = line(message);
    if (level == Level.VERBOSE || (level == Level.NORMAL && cold)) {
      err.println(line);
    } else if (level == Level.NORMAL) {
      held.add(line);
    }
  }

  /**
   * The start is cold (an agent must be created): print what was held back and all that follows.
   */
  public synchronized void cold() {
    if (!cold && level == Level.NORMAL) {
      held.forEach(err::println);
    }
    held.clear();
    cold = true;
  }

  /** A detail for {@code --verbose} only. */
  public synchronized void detail(String message) {
    if (level == Level.VERBOSE) {
      err.println(line(message));
    }
  }

  /** Something the user should know even on a warm start; silenced only by {@code -q}. */
  public synchronized void warn(String message) {
    if (level != Level.QUIET) {
      err.println("lambda-cntr: warning: " + message);
    }
  }

  /** A fact the user asked for (a forwarded port, a debugger's address); silenced by {@code -q}. */
  public synchronized void info(String message) {
    if (level != Level.QUIET) {
      err.println("lambda-cntr: " + message);
    }
  }

  public boolean quiet() {
    return level == Level.QUIET;
  }

  /** Seconds since the CLI started. */
  public double elapsedSeconds() {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  public boolean verbose() {
    return level == Level.VERBOSE;
  }

  private String line(String message) {
    return String.format(Locale.ROOT, "lambda-cntr [%.2fs] %s", elapsedSeconds(), message);
  }
}
