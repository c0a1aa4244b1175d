package dev.lambdacntr.cli;

import dev.lambdacntr.cli.exec.Tty;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.function.BooleanSupplier;

/**
 * What a CLI run works with besides its arguments, injected so tests can drive it.
 *
 * @param env the environment variables
 * @param stdin the input passed to the remote process
 * @param stdout the remote process's output, unchanged bytes
 * @param stderr progress, errors, and the remote process's stderr
 * @param stdinIsTerminal whether stdin is a terminal (asked only when needed)
 * @param stdoutIsTerminal whether stdout is a terminal
 * @param startNanos {@link System#nanoTime} at the start, for elapsed times in progress lines
 */
public record CliContext(
    Environment env,
    InputStream stdin,
    OutputStream stdout,
    PrintStream stderr,
    BooleanSupplier stdinIsTerminal,
    BooleanSupplier stdoutIsTerminal,
    long startNanos) {

  /** The real process: its environment, file descriptors 0-2 and terminal. */
  public static CliContext system(long startNanos) {
    return new CliContext(
        Environment.system(),
        interruptibleStdin(),
        new java.io.FileOutputStream(java.io.FileDescriptor.out),
        System.err,
        () -> Tty.isTerminal(0),
        () -> Tty.isTerminal(1),
        startNanos);
  }

  /**
   * File descriptor 0 as an interruptible channel: when the session ends, the thread still waiting
   * for input is interrupted and leaves its read. A thread left blocked in a plain {@code
   * FileInputStream} read is "in native" code, and the JVM waits 300 ms for such threads before it
   * exits (measured; benchmarks/cli/README.md).
   */
  private static InputStream interruptibleStdin() {
    return java.nio.channels.Channels.newInputStream(
        new java.io.FileInputStream(java.io.FileDescriptor.in).getChannel());
  }
}
