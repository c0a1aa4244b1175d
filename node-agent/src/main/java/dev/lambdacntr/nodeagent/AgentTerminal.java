package dev.lambdacntr.nodeagent;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.lambdacntr.agent.sys.Fd;
import dev.lambdacntr.agent.sys.Sys;
import dev.lambdacntr.protocol.ExitCode;
import dev.lambdacntr.sys.Fcntl;
import dev.lambdacntr.sys.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A terminal of the node agent's own devpts between the client and a session with {@code tty}: the
 * session helper's standard streams are its slave, and relays the session's own terminal (in the
 * target's devpts) to it, as it relays the terminal the runtime gives a launched agent. Raw both
 * ways (the client's terminal does the cooking), and the place the client's window size goes: the
 * helper reads it from its stdin when it gets SIGWINCH.
 *
 * @param master the node agent's end
 * @param slave the helper's standard streams
 */
record AgentTerminal(Fd master, Fd slave) {
  private static final long SYS_IOCTL = 16;
  private static final long TCGETS = 0x5401;
  private static final long TCSETS = 0x5402;
  private static final long TIOCSWINSZ = 0x5414;
  private static final long TIOCGPTPEER = 0x5441;
  private static final long TIOCSPTLCK = 0x40045431L;
  private static final long KERNEL_TERMIOS_SIZE = 36;

  static AgentTerminal open() {
    Fd master =
        Sys.open(
            "/dev/ptmx",
            Fcntl.O_RDWR | Fcntl.O_NOCTTY | Fcntl.O_CLOEXEC,
            ExitCode.AGENT_INTERNAL,
            "open a terminal for the session (/dev/ptmx of the node agent)");
    try (Arena arena = Arena.ofConfined()) {
      Sys.check(
          Libc.ioctl(master.value(), TIOCSPTLCK, arena.allocate(JAVA_INT)),
          ExitCode.AGENT_INTERNAL,
          "unlock the session's terminal");
      int slave =
          (int)
              Libc.syscall(
                  SYS_IOCTL,
                  master.value(),
                  TIOCGPTPEER,
                  Fcntl.O_RDWR | Fcntl.O_NOCTTY | Fcntl.O_CLOEXEC);
      Sys.check(slave, ExitCode.AGENT_INTERNAL, "open the slave of the session's terminal");
      AgentTerminal terminal = new AgentTerminal(master, new Fd(slave));
      terminal.makeRaw(arena);
      return terminal;
    } catch (RuntimeException e) {
      master.close();
      throw e;
    }
  }

  /** cfmakeraw(3) on the kernel's struct termios: bytes pass unchanged, no echo, no signals. */
  private void makeRaw(Arena arena) {
    MemorySegment termios = arena.allocate(KERNEL_TERMIOS_SIZE);
    Sys.check(
        Libc.ioctl(slave.value(), TCGETS, termios),
        ExitCode.AGENT_INTERNAL,
        "read the modes of the session's terminal");
    int iflag = termios.get(JAVA_INT, 0);
    int oflag = termios.get(JAVA_INT, 4);
    int cflag = termios.get(JAVA_INT, 8);
    int lflag = termios.get(JAVA_INT, 12);
    iflag &= ~(0000001 | 0000002 | 0000010 | 0000040 | 0000100 | 0000200 | 0000400 | 0002000);
    oflag &= ~0000001; // OPOST
    lflag &= ~(0000010 | 0000100 | 0000002 | 0000001 | 0100000); // ECHO ECHONL ICANON ISIG IEXTEN
    cflag = (cflag & ~(0000060 | 0000400)) | 0000060; // CS8, no parity
    termios.set(JAVA_INT, 0, iflag);
    termios.set(JAVA_INT, 4, oflag);
    termios.set(JAVA_INT, 8, cflag);
    termios.set(JAVA_INT, 12, lflag);
    Sys.check(
        Libc.ioctl(slave.value(), TCSETS, termios),
        ExitCode.AGENT_INTERNAL,
        "make the session's terminal raw");
  }

  /** Sets the window size the helper reads at its start and on SIGWINCH. */
  static void resize(int master, int width, int height) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment size = arena.allocate(8);
      size.set(JAVA_SHORT, 0, (short) height);
      size.set(JAVA_SHORT, 2, (short) width);
      Libc.ioctl(master, TIOCSWINSZ, size);
    }
  }
}
