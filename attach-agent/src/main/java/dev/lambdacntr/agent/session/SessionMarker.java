package dev.lambdacntr.agent.session;

import dev.lambdacntr.agent.sys.Fd;
import dev.lambdacntr.sys.Fcntl;
import dev.lambdacntr.sys.Libc;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The file {@code /run/lambda-cntr/sessions/PID} that keeps the agent pod's idle process from
 * expiring while a session is open. PID is the agent's own, which the session helper keeps when it
 * replaces the JVM; the helper removes the marker at the end, and the idle process ignores the
 * markers of PIDs that are gone.
 */
public final class SessionMarker implements AutoCloseable {
  /** Where markers live; the idle process reads the same directory. */
  public static final Path DIRECTORY = Path.of("/run/lambda-cntr/sessions");

  private final Path file;
  private final Fd directory;

  private SessionMarker(Path file, Fd directory) {
    this.file = file;
    this.directory = directory;
  }

  /** Creates the marker; empty (and a note on stderr) when {@code /run} is not writable. */
  public static Optional<SessionMarker> create(int pid) {
    Path file = DIRECTORY.resolve(Integer.toString(pid));
    try {
      Files.createDirectories(DIRECTORY);
      Files.write(file, new byte[0]);
    } catch (IOException e) {
      System.err.println(
          "lambda-cntr: note: no session marker in " + DIRECTORY + ": " + e.getMessage());
      return Optional.empty();
    }
    int fd;
    try (Arena arena = Arena.ofConfined()) {
      fd =
          Libc.openat(
              Fcntl.AT_FDCWD,
              Libc.cstr(arena, DIRECTORY.toString()),
              Fcntl.O_RDONLY | Fcntl.O_DIRECTORY,
              0);
    }
    if (fd < 0) {
      return Optional.empty();
    }
    return Optional.of(new SessionMarker(file, new Fd(fd)));
  }

  /** The helper's view of it: an inheritable directory fd and the file name. */
  public SessionSpec.Marker forHelper() {
    return new SessionSpec.Marker(directory.value(), file.getFileName().toString());
  }

  /** Removes the marker (the agent's own path, when it stayed alive to the end). */
  @Override
  public void close() {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // the idle process ignores markers of ended PIDs
    }
    directory.close();
  }
}
