package dev.lambdacntr.cli.exec;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * A terminal's modes exactly as the kernel holds them: {@code struct termios} saved byte for byte
 * with {@code tcgetattr}, raw mode made by libc's {@code cfmakeraw} on a copy, and the saved bytes
 * put back with {@code tcsetattr}. jline, which the CLI used before {@link WindowSize}, restored
 * wrongly: its {@code Attributes} rebuild {@code struct termios} from the flags it models and drop
 * the rest, the line speed among them (the terminal was left at "speed 0 baud"; jline issue #2170).
 *
 * <p>The modes are set through a descriptor of their own ({@code dup} of the one given): when the
 * JDK closes {@code System.in}'s descriptor 0 (an interrupted read on its channel does), it puts
 * {@code /dev/null} there, and a restore through 0 would fail with ENOTTY and leave the terminal
 * raw. {@link #close} releases that descriptor.
 */
@SuppressWarnings("restricted")
public final class TerminalModes implements AutoCloseable {

  private static final int TCSANOW = 0;
  // More than struct termios takes on any Linux ABI (60 bytes with glibc on x86-64 and arm64).
  private static final long TERMIOS_BYTES = 256;

  private static final Linker LINKER = Linker.nativeLinker();
  private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO =
      CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
  private static final MethodHandle TCGETATTR =
      downcall("tcgetattr", ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS);
  private static final MethodHandle TCSETATTR =
      downcall(
          "tcsetattr",
          ValueLayout.JAVA_INT,
          ValueLayout.JAVA_INT,
          ValueLayout.JAVA_INT,
          ValueLayout.ADDRESS);
  private static final MethodHandle DUP =
      downcall("dup", ValueLayout.JAVA_INT, ValueLayout.JAVA_INT);
  private static final MethodHandle CLOSE =
      downcall("close", ValueLayout.JAVA_INT, ValueLayout.JAVA_INT);
  private static final MethodHandle CFMAKERAW =
      LINKER.downcallHandle(
          LINKER.defaultLookup().find("cfmakeraw").orElseThrow(),
          FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
  private static final MethodHandle STRERROR =
      LINKER.downcallHandle(
          LINKER.defaultLookup().find("strerror").orElseThrow(),
          FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT));

  private final int fd;
  private final int own;
  private final byte[] saved;
  private boolean closed;

  private TerminalModes(int fd, int own, byte[] saved) {
    this.fd = fd;
    this.own = own;
    this.saved = saved;
  }

  /** Saves the modes of the terminal on {@code fd}, and a descriptor of its own to set them. */
  public static TerminalModes save(int fd) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment termios = arena.allocate(TERMIOS_BYTES);
      MemorySegment state = arena.allocate(CALL_STATE);
      if ((int) TCGETATTR.invokeExact(state, fd, termios) != 0) {
        throw failure("read the modes of the terminal on fd " + fd + " (tcgetattr)", state);
      }
      int own = (int) DUP.invokeExact(state, fd);
      if (own < 0) {
        throw failure("duplicate the terminal's descriptor " + fd + " (dup)", state);
      }
      return new TerminalModes(fd, own, termios.toArray(ValueLayout.JAVA_BYTE));
    } catch (CntrException e) {
      throw e;
    } catch (Throwable e) {
      throw new CntrException(ExitCode.INTERNAL, "cannot call tcgetattr or dup: " + e, e);
    }
  }

  /** Raw mode, as {@code cfmakeraw} defines it: no echo, no line editing, no signal keys. */
  public void makeRaw() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment termios = arena.allocateFrom(ValueLayout.JAVA_BYTE, saved);
      try {
        CFMAKERAW.invokeExact(termios);
      } catch (Throwable e) {
        throw new CntrException(ExitCode.INTERNAL, "cannot call cfmakeraw: " + e, e);
      }
      set(arena, termios, "make the terminal on fd " + fd + " raw (tcsetattr)");
    }
  }

  /** Puts back the saved modes, every bit of them. */
  public void restore() {
    try (Arena arena = Arena.ofConfined()) {
      set(
          arena,
          arena.allocateFrom(ValueLayout.JAVA_BYTE, saved),
          "restore the modes of the terminal on fd " + fd + " (tcsetattr)");
    }
  }

  /** Releases the descriptor the modes are set through; {@link #restore} first. */
  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      try (Arena arena = Arena.ofConfined()) {
        int _ = (int) CLOSE.invokeExact(arena.allocate(CALL_STATE), own);
      } catch (Throwable e) {
        // nothing to do: the process is about to end with its descriptors
      }
    }
  }

  private synchronized void set(Arena arena, MemorySegment termios, String what) {
    if (closed) {
      return;
    }
    MemorySegment state = arena.allocate(CALL_STATE);
    int result;
    try {
      result = (int) TCSETATTR.invokeExact(state, own, TCSANOW, termios);
    } catch (Throwable e) {
      throw new CntrException(ExitCode.INTERNAL, "cannot " + what + ": " + e, e);
    }
    if (result != 0) {
      throw failure(what, state);
    }
  }

  private static CntrException failure(String what, MemorySegment state) {
    int errno = (int) ERRNO.get(state, 0L);
    return new CntrException(
        ExitCode.INTERNAL, "cannot " + what + ": " + describe(errno) + " (errno " + errno + ")");
  }

  private static String describe(int errno) {
    try {
      MemorySegment text = (MemorySegment) STRERROR.invokeExact(errno);
      return text.reinterpret(1024).getString(0);
    } catch (Throwable e) {
      return "error";
    }
  }

  private static MethodHandle downcall(String name, ValueLayout result, ValueLayout... args) {
    return LINKER.downcallHandle(
        LINKER.defaultLookup().find(name).orElseThrow(),
        FunctionDescriptor.of(result, args),
        Linker.Option.captureCallState("errno"));
  }
}
