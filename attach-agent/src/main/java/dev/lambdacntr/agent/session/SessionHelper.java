package dev.lambdacntr.agent.session;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.lambdacntr.agent.sys.Fd;
import dev.lambdacntr.agent.sys.Sys;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import dev.lambdacntr.sys.Errno;
import dev.lambdacntr.sys.Fcntl;
import dev.lambdacntr.sys.Libc;
import dev.lambdacntr.sys.Spawn;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Starts {@code libexec/lambda-cntr-exec}, the native helper that takes the steps a JVM cannot
 * (PID, time and user namespaces, the session's own process tree and terminal). Both ways start it
 * from the entering thread, so it inherits the view and the namespaces: {@link #replaceJvm} turns
 * the whole JVM into the helper (no JVM memory during the session), {@link #spawnAndWait} keeps the
 * JVM alive beside it (to serve FUSE).
 *
 * <p>Both work without a path in the view: the helper is opened before entering, exec'd by
 * descriptor, or spawned with the libexec directory (opened before entering) as working directory.
 */
public final class SessionHelper implements AutoCloseable {
  public static final String NAME = "lambda-cntr-exec";

  private final Fd binary;
  private final Fd directory;

  private SessionHelper(Fd binary, Fd directory) {
    this.binary = binary;
    this.directory = directory;
  }

  /** Opens the helper of the agent distribution at {@code home}. */
  public static SessionHelper open(Path home) {
    Path libexec = home.resolve("libexec");
    Fd directory =
        Sys.open(
            libexec.toString(),
            Fcntl.O_PATH | Fcntl.O_DIRECTORY | Fcntl.O_CLOEXEC,
            ExitCode.AGENT_INTERNAL,
            "open the agent's helper directory " + libexec);
    Fd binary;
    try {
      binary =
          Sys.openat(
              directory,
              NAME,
              Fcntl.O_RDONLY | Fcntl.O_CLOEXEC,
              ExitCode.AGENT_INTERNAL,
              "open the agent's helper " + libexec.resolve(NAME));
    } catch (CntrException e) {
      directory.close();
      throw e;
    }
    return new SessionHelper(binary, directory);
  }

  /** Replaces the JVM with the helper. Returns only by failing. */
  public CntrException replaceJvm(SessionSpec spec) {
    try (Arena arena = Arena.ofConfined()) {
      int r =
          Libc.fexecve(
              binary.value(), strings(arena, argv(spec)), strings(arena, spec.environment()));
      return Sys.failure(ExitCode.AGENT_INTERNAL, "execute the session helper", -r);
    }
  }

  /**
   * Starts the helper as a child and waits for it; returns its exit status. With {@code stdio} the
   * helper's standard streams are those descriptors, else the agent's own.
   */
  public int spawnAndWait(SessionSpec spec, Optional<SessionStdio> stdio) {
    int pid;
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment pidCell = arena.allocate(JAVA_INT);
      MemorySegment actions = arena.allocate(Spawn.FILE_ACTIONS_SIZE);
      MemorySegment argv = strings(arena, argv(spec));
      MemorySegment envp = strings(arena, spec.environment());
      check(Spawn.fileActionsInit(actions), "prepare the session helper's start");
      try {
        check(
            Spawn.fileActionsAddFchdir(actions, directory.value()),
            "prepare the session helper's start");
        if (stdio.isPresent()) {
          int[] streams = {stdio.get().stdin(), stdio.get().stdout(), stdio.get().stderr()};
          for (int target = 0; target < streams.length; target++) {
            check(
                Spawn.fileActionsAddDup2(actions, streams[target], target),
                "prepare the session helper's standard streams");
          }
        }
        check(
            Spawn.spawn(pidCell, Libc.cstr(arena, NAME), actions, argv, envp),
            "start the session helper");
      } finally {
        Spawn.fileActionsDestroy(actions);
      }
      pid = pidCell.toArray(JAVA_INT)[0];
    }
    stdio.ifPresent(s -> s.started().accept(pid));
    int status;
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment statusCell = arena.allocate(JAVA_INT);
      int r;
      while ((r = Libc.waitpid(pid, statusCell, 0)) < 0) {
        if (r != -Errno.EINTR) {
          throw Sys.failure(ExitCode.AGENT_INTERNAL, "wait for the session helper " + pid, -r);
        }
      }
      status = statusCell.toArray(JAVA_INT)[0];
    }
    int termination = status & 0x7f;
    return termination == 0 ? (status >> 8) & 0xff : 128 + termination;
  }

  private static void check(int error, String what) {
    if (error != 0) {
      throw Sys.failure(ExitCode.AGENT_INTERNAL, what, error);
    }
  }

  /**
   * A NULL-terminated array of pointers to NUL-terminated copies of {@code strings}. Filled as
   * 64-bit addresses from a Java array: setting ADDRESS elements one by one needs a VarHandle the
   * JDK builds at its first use, some 20 ms of this last step before the exec.
   */
  private static MemorySegment strings(Arena arena, List<String> strings) {
    long[] pointers = new long[strings.size() + 1]; // the last stays 0: NULL
    for (int i = 0; i < strings.size(); i++) {
      pointers[i] = arena.allocateFrom(strings.get(i)).address();
    }
    return arena.allocateFrom(JAVA_LONG, pointers);
  }

  private static List<String> argv(SessionSpec spec) {
    List<String> argv = new ArrayList<>();
    argv.add(NAME);
    argv.addAll(spec.helperArguments());
    return argv;
  }

  @Override
  public void close() {
    binary.close();
    directory.close();
  }
}
