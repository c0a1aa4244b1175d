package dev.lambdacntr.cli.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * {@link WindowSize} on a real pseudo terminal of the test's own, sized with {@code TIOCSWINSZ} on
 * its master side, and {@code SIGWINCH} raised in the test's JVM.
 */
@SuppressWarnings("restricted")
class WindowSizeTest {

  private static final Linker LINKER = Linker.nativeLinker();
  private static final int O_RDWR = 2;
  private static final int O_NOCTTY = 0x100;
  private static final long TIOCSWINSZ = 0x5414;

  private int master = -1;
  private int pty = -1;

  @BeforeEach
  void openPty() throws Throwable {
    master = (int) call("posix_openpt", O_RDWR | O_NOCTTY);
    assertThat(master).as("posix_openpt").isNotNegative();
    assertThat((int) call("grantpt", master)).isZero();
    assertThat((int) call("unlockpt", master)).isZero();
    MethodHandle ptsname =
        LINKER.downcallHandle(
            LINKER.defaultLookup().find("ptsname").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    MemorySegment name = (MemorySegment) ptsname.invokeExact(master);
    try (Arena arena = Arena.ofConfined()) {
      pty = (int) call("open", arena.allocateFrom(name.reinterpret(256).getString(0)), O_RDWR);
    }
    assertThat(pty).as("open the pty's terminal side").isNotNegative();
  }

  @AfterEach
  void closePty() throws Throwable {
    for (int fd : new int[] {pty, master}) {
      if (fd >= 0) {
        call("close", fd);
      }
    }
  }

  @Test
  void readsTheSizeTheTerminalWasGiven() throws Throwable {
    setSize(132, 43);
    assertThat(WindowSize.of(pty)).contains(new WindowSize(132, 43));
    setSize(80, 24);
    assertThat(WindowSize.of(pty)).contains(new WindowSize(80, 24));
  }

  @Test
  void aTerminalNobodySizedAndANonTerminalHaveNoSize() throws Throwable {
    setSize(0, 0);
    assertThat(WindowSize.of(pty)).isEmpty();
    assertThat(WindowSize.of(-1)).isEmpty();
  }

  @Test
  void sigwinchReachesTheListenerAndClosingPutsThePreviousHandlerBack() throws Exception {
    Signal winch = new Signal("WINCH");
    SignalHandler before = Signal.handle(winch, SignalHandler.SIG_DFL);
    Signal.handle(winch, before);
    CountDownLatch called = new CountDownLatch(1);
    try (WindowSize.Listening _ = WindowSize.onChange(called::countDown)) {
      Signal.raise(winch);
      assertThat(called.await(10, TimeUnit.SECONDS)).as("listener called").isTrue();
    }
    assertThat(Signal.handle(winch, before)).as("the handler after close").isSameAs(before);
  }

  private void setSize(int columns, int rows) throws Throwable {
    MethodHandle ioctl =
        LINKER.downcallHandle(
            LINKER.defaultLookup().find("ioctl").orElseThrow(),
            FunctionDescriptor.of(
                ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT,
                ValueLayout.JAVA_LONG,
                ValueLayout.ADDRESS),
            Linker.Option.firstVariadicArg(2));
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment winsize = arena.allocate(8);
      winsize.set(ValueLayout.JAVA_SHORT, 0, (short) rows);
      winsize.set(ValueLayout.JAVA_SHORT, 2, (short) columns);
      assertThat((int) ioctl.invokeExact(master, TIOCSWINSZ, winsize)).as("TIOCSWINSZ").isZero();
    }
  }

  /** Calls a libc function returning int whose arguments are ints and pointers. */
  private static Object call(String function, Object... args) throws Throwable {
    ValueLayout[] layouts = new ValueLayout[args.length];
    for (int i = 0; i < args.length; i++) {
      layouts[i] = args[i] instanceof MemorySegment ? ValueLayout.ADDRESS : ValueLayout.JAVA_INT;
    }
    MethodHandle handle =
        LINKER.downcallHandle(
            LINKER.defaultLookup().find(function).orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, layouts));
    return handle.invokeWithArguments(args);
  }
}
