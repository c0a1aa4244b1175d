package dev.lambdacntr.cli.exec;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * A terminal's window size in characters, read with {@code ioctl(TIOCGWINSZ)}, and its changes,
 * announced by {@code SIGWINCH}. What the CLI used jline for, in two calls: opening jline's
 * terminal (77 classes of its own and its FFM provider) took 158 ms in a fresh JVM, these 18 ms
 * (medians on a pty with the distribution's JVM flags; benchmarks/cli/README.md).
 *
 * @param columns the width
 * @param rows the height
 */
@SuppressWarnings("restricted")
public record WindowSize(int columns, int rows) {

  private static final long TIOCGWINSZ = 0x5413; // Linux, every architecture the CLI runs on
  private static final long WINSIZE_BYTES = 8; // struct winsize: 4 unsigned shorts

  /**
   * The linked {@code ioctl}, apart from the record: linking it took 7 ms of the main thread in a
   * JFR recording of {@code execute}, which only needs a size to record (80x24) and never reads
   * one.
   */
  private static final class Ioctl {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle IOCTL =
        LINKER.downcallHandle(
            LINKER.defaultLookup().find("ioctl").orElseThrow(),
            FunctionDescriptor.of(
                ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT,
                ValueLayout.JAVA_LONG,
                ValueLayout.ADDRESS),
            Linker.Option.firstVariadicArg(2));
  }

  /**
   * The size of the terminal on {@code fd}; empty when {@code fd} is no terminal or the terminal
   * does not know its size (0 by 0, as a pty nobody sized).
   */
  public static Optional<WindowSize> of(int fd) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment winsize = arena.allocate(WINSIZE_BYTES);
      if ((int) Ioctl.IOCTL.invokeExact(fd, TIOCGWINSZ, winsize) != 0) {
        return Optional.empty();
      }
      int rows = Short.toUnsignedInt(winsize.get(ValueLayout.JAVA_SHORT, 0));
      int columns = Short.toUnsignedInt(winsize.get(ValueLayout.JAVA_SHORT, 2));
      return rows > 0 && columns > 0
          ? Optional.of(new WindowSize(columns, rows))
          : Optional.empty();
    } catch (Throwable e) {
      throw new CntrException(ExitCode.INTERNAL, "cannot call ioctl(TIOCGWINSZ): " + e, e);
    }
  }

  /**
   * Runs {@code listener} on every {@code SIGWINCH} (on the JVM's signal thread) until the returned
   * handle is closed, which puts the previous handler back.
   */
  public static Listening onChange(Runnable listener) {
    Signal winch = new Signal("WINCH");
    SignalHandler previous = Signal.handle(winch, signal -> listener.run());
    return () -> Signal.handle(winch, previous);
  }

  /** A {@code SIGWINCH} listener; closing it puts the previous handler back. */
  public interface Listening extends AutoCloseable {
    @Override
    void close();
  }
}
