package dev.lambdacntr.nodeagent;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.lambdacntr.agent.session.SessionStdio;
import dev.lambdacntr.agent.sys.Fd;
import dev.lambdacntr.agent.sys.Sys;
import dev.lambdacntr.protocol.ExitCode;
import dev.lambdacntr.sys.Fcntl;
import dev.lambdacntr.sys.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.IntConsumer;

/**
 * The descriptors between the node agent and one session helper: the helper's stdin, stdout and
 * stderr (pipes; with a terminal, stdin and stdout are the slave of an {@link AgentTerminal}), and
 * the node agent's ends of them. All close-on-exec, so that a helper spawned for another session at
 * the same moment inherits none; the spawn gives the helper its three as 0, 1 and 2.
 *
 * @param input where the session's framed input is written
 * @param output the session's output (channel 1)
 * @param errors the helper's own messages (channel 2)
 * @param terminal the terminal's master, with a terminal, for window sizes
 * @param helperSide the helper's stdin, stdout and stderr, closed once the helper runs or failed
 */
record SessionStreams(Fd input, Fd output, Fd errors, Optional<Fd> terminal, List<Fd> helperSide) {

  static SessionStreams open(boolean tty) {
    List<Fd> opened = new ArrayList<>();
    try {
      Fd[] errors = pipe(opened);
      if (tty) {
        AgentTerminal terminal = AgentTerminal.open();
        opened.add(terminal.master());
        opened.add(terminal.slave());
        return new SessionStreams(
            terminal.master(),
            terminal.master(),
            errors[0],
            Optional.of(terminal.master()),
            List.of(terminal.slave(), terminal.slave(), errors[1]));
      }
      Fd[] input = pipe(opened);
      Fd[] output = pipe(opened);
      return new SessionStreams(
          input[1],
          output[0],
          errors[0],
          Optional.empty(),
          List.of(input[0], output[1], errors[1]));
    } catch (RuntimeException e) {
      opened.forEach(Fd::close);
      throw e;
    }
  }

  SessionStdio forHelper(IntConsumer started) {
    return new SessionStdio(
        helperSide.get(0).value(), helperSide.get(1).value(), helperSide.get(2).value(), started);
  }

  /** The helper has its copies (or never will): ours must go for the output's end to come. */
  void closeHelperSide() {
    helperSide.stream().distinct().forEach(Fd::close);
  }

  /** The node agent's ends, once nothing reads or writes them any more. */
  void closeAgentSide() {
    List.of(input, output, errors).stream().distinct().forEach(Fd::close);
  }

  private static Fd[] pipe(List<Fd> opened) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment fds = arena.allocate(JAVA_INT, 2);
      Sys.check(
          Libc.pipe2(fds, Fcntl.O_CLOEXEC),
          ExitCode.AGENT_INTERNAL,
          "create a pipe for the session's streams");
      Fd[] ends = {new Fd(fds.getAtIndex(JAVA_INT, 0)), new Fd(fds.getAtIndex(JAVA_INT, 1))};
      opened.add(ends[0]);
      opened.add(ends[1]);
      return ends;
    }
  }
}
