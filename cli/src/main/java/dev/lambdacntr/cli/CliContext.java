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
        new java.io.FileInputStream(java.io.FileDescriptor.in),
        new java.io.FileOutputStream(java.io.FileDescriptor.out),
        System.err,
        () -> Tty.isTerminal(0),
        () -> Tty.isTerminal(1),
        startNanos);
  }
}
