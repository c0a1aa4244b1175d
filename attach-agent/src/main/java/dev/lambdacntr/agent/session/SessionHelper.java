package dev.lambdacntr.agent.session;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.StringArray;
import dev.lambdacntr.agent.sys.Errno;
import dev.lambdacntr.agent.sys.Fd;
import dev.lambdacntr.agent.sys.LibC;
import dev.lambdacntr.agent.sys.Sys;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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
  private static final int POSIX_SPAWN_FILE_ACTIONS_SIZE = 256;

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
            LibC.O_PATH | LibC.O_DIRECTORY | LibC.O_CLOEXEC,
            ExitCode.AGENT_INTERNAL,
            "open the agent's helper directory " + libexec);
    Fd binary;
    try {
      binary =
          Sys.openat(
              directory,
              NAME,
              LibC.O_RDONLY | LibC.O_CLOEXEC,
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
    try (StringArray argv = new StringArray(argv(spec).toArray(String[]::new));
        StringArray envp = new StringArray(spec.environment().toArray(String[]::new))) {
      LibC.fexecve(binary.value(), argv, envp);
      return Sys.failure(
          ExitCode.AGENT_INTERNAL, "execute the session helper", Native.getLastError());
    }
  }

  /** Starts the helper as a child and waits for it; returns its exit status. */
  public int spawnAndWait(SessionSpec spec) {
    int[] pid = new int[1];
    try (Memory actions = new Memory(POSIX_SPAWN_FILE_ACTIONS_SIZE);
        StringArray argv = new StringArray(argv(spec).toArray(String[]::new));
        StringArray envp = new StringArray(spec.environment().toArray(String[]::new))) {
      check(LibC.posix_spawn_file_actions_init(actions), "prepare the session helper's start");
      try {
        check(
            LibC.posix_spawn_file_actions_addfchdir_np(actions, directory.value()),
            "prepare the session helper's start");
        check(LibC.posix_spawn(pid, NAME, actions, null, argv, envp), "start the session helper");
      } finally {
        LibC.posix_spawn_file_actions_destroy(actions);
      }
    }
    int[] status = new int[1];
    while (LibC.waitpid(pid[0], status, 0) < 0) {
      int errno = Native.getLastError();
      if (errno != Errno.EINTR) {
        throw Sys.failure(ExitCode.AGENT_INTERNAL, "wait for the session helper " + pid[0], errno);
      }
    }
    int termination = status[0] & 0x7f;
    return termination == 0 ? (status[0] >> 8) & 0xff : 128 + termination;
  }

  private static void check(int error, String what) {
    if (error != 0) {
      throw Sys.failure(ExitCode.AGENT_INTERNAL, what, error);
    }
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
