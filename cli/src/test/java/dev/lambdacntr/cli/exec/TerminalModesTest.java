package dev.lambdacntr.cli.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lambdacntr.protocol.CntrException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link TerminalModes} on a real pseudo terminal (a pty pair of the test's own): raw mode, and a
 * restore that gives back every bit, the line speed included, after something else (such as jline
 * closing its terminal) has clobbered the modes.
 */
@SuppressWarnings("restricted")
class TerminalModesTest {

  private static final Linker LINKER = Linker.nativeLinker();
  private static final int O_RDWR = 2;
  private static final int O_NOCTTY = 0x100;
  private static final int ECHO = 0x8; // c_lflag
  private static final int ICANON = 0x2;
  private static final long C_LFLAG = 12; // offset in struct termios
  private static final int B0 = 0;
  private static final int B38400 = 0xf;

  private int master = -1;
  private int pty = -1;

  @BeforeEach
  void openPty() throws Throwable {
    master = (int) call("posix_openpt", int.class, O_RDWR | O_NOCTTY);
    assertThat(master).as("posix_openpt").isNotNegative();
    assertThat((int) call("grantpt", int.class, master)).isZero();
    assertThat((int) call("unlockpt", int.class, master)).isZero();
    MemorySegment name = (MemorySegment) call("ptsname", MemorySegment.class, master);
    try (Arena arena = Arena.ofConfined()) {
      String path = name.reinterpret(256).getString(0);
      pty = (int) call("open", int.class, arena.allocateFrom(path), O_RDWR | O_NOCTTY);
    }
    assertThat(pty).as("open the pty's terminal side").isNotNegative();
  }

  @AfterEach
  void closePty() throws Throwable {
    for (int fd : new int[] {pty, master}) {
      if (fd >= 0) {
        call("close", int.class, fd);
      }
    }
  }

  @Test
  void rawModeTurnsOffEchoAndLineEditingAndRestoreGivesBackEveryBit() throws Throwable {
    setSpeed(B38400);
    byte[] original = termios();
    TerminalModes modes = TerminalModes.save(pty);

    modes.makeRaw();
    int lflag = MemorySegment.ofArray(termios()).get(ValueLayout.JAVA_INT_UNALIGNED, C_LFLAG);
    assertThat(lflag & (ECHO | ICANON)).as("echo and canonical mode in raw mode").isZero();
    assertThat(speed()).as("raw mode keeps the line speed").isEqualTo(B38400);

    setSpeed(B0); // what jline's lossy restore does to a terminal
    modes.restore();
    assertThat(termios()).isEqualTo(original);
    assertThat(speed()).isEqualTo(B38400);
  }

  @Test
  void restoreWorksAfterTheGivenDescriptorWasReplacedByDevNull() throws Throwable {
    byte[] original = termios();
    int stdinLike = (int) call("dup", int.class, pty);
    assertThat(stdinLike).as("dup").isNotNegative();
    int devNull = -1;
    try (TerminalModes modes = TerminalModes.save(stdinLike)) {
      modes.makeRaw();
      assertThat(termios()).isNotEqualTo(original);

      // What the JDK does when System.in's channel is closed: /dev/null onto the descriptor.
      try (Arena arena = Arena.ofConfined()) {
        devNull = (int) call("open", int.class, arena.allocateFrom("/dev/null"), O_RDWR);
      }
      assertThat((int) call("dup2", int.class, devNull, stdinLike)).isEqualTo(stdinLike);

      modes.restore();
      assertThat(termios()).as("the terminal's modes after restore").isEqualTo(original);
    } finally {
      call("close", int.class, stdinLike);
      if (devNull >= 0) {
        call("close", int.class, devNull);
      }
    }
  }

  @Test
  void aDescriptorThatIsNoTerminalIsAnErrorNamingTheCall() {
    assertThatThrownBy(() -> TerminalModes.save(-1))
        .isInstanceOf(CntrException.class)
        .hasMessageContaining("tcgetattr")
        .hasMessageContaining("errno 9");
  }

  private byte[] termios() throws Throwable {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment t = arena.allocate(256);
      assertThat((int) call("tcgetattr", int.class, pty, t)).isZero();
      return t.asSlice(0, 60).toArray(ValueLayout.JAVA_BYTE);
    }
  }

  private int speed() throws Throwable {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment t = arena.allocateFrom(ValueLayout.JAVA_BYTE, termios());
      return (int) call("cfgetospeed", int.class, t);
    }
  }

  private void setSpeed(int speed) throws Throwable {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment t = arena.allocate(256);
      assertThat((int) call("tcgetattr", int.class, pty, t)).isZero();
      assertThat((int) call("cfsetospeed", int.class, t, speed)).isZero();
      assertThat((int) call("tcsetattr", int.class, pty, 0, t)).isZero();
    }
  }

  /** Calls a libc function whose arguments are ints and pointers. */
  private static Object call(String function, Class<?> result, Object... args) throws Throwable {
    ValueLayout[] layouts = new ValueLayout[args.length];
    for (int i = 0; i < args.length; i++) {
      layouts[i] = args[i] instanceof MemorySegment ? ValueLayout.ADDRESS : ValueLayout.JAVA_INT;
    }
    FunctionDescriptor descriptor =
        result == int.class
            ? FunctionDescriptor.of(ValueLayout.JAVA_INT, layouts)
            : FunctionDescriptor.of(ValueLayout.ADDRESS, layouts);
    MethodHandle handle =
        LINKER.downcallHandle(LINKER.defaultLookup().find(function).orElseThrow(), descriptor);
    return handle.invokeWithArguments(args);
  }
}
