package dev.lambdacntr.cntrfs;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import dev.lambdacntr.sys.Errno;
import dev.lambdacntr.sys.Fcntl;
import dev.lambdacntr.sys.Libc;
import dev.lambdacntr.sys.Stat;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * The directory cntrfs serves, held as an open O_PATH descriptor together with one of
 * /proc/self/fd. Open both before any thread of the process switches namespaces: from then on the
 * server reaches files only through descriptors, never by absolute path, so it serves the same tree
 * whatever namespace its threads end up in.
 */
public final class SourceRoot {
  final int fd;
  final int procFd;
  final long dev;
  final long ino;

  private SourceRoot(int fd, int procFd, long dev, long ino) {
    this.fd = fd;
    this.procFd = procFd;
    this.dev = dev;
    this.ino = ino;
  }

  /** Opens {@code directory}, resolved in the calling thread's mount namespace. */
  public static SourceRoot open(Path directory) {
    try (Arena arena = Arena.ofConfined()) {
      int fd =
          Libc.openat(
              Fcntl.AT_FDCWD,
              arena.allocateFrom(directory.toString()),
              Fcntl.O_PATH | Fcntl.O_DIRECTORY | Fcntl.O_CLOEXEC,
              0);
      if (fd < 0) {
        throw new CntrException(
            ExitCode.AGENT_FILESYSTEM_FAILED,
            "cannot open source directory " + directory + ": " + Errno.name(-fd));
      }
      return adopt(fd, directory.toString());
    }
  }

  /** Takes over an open directory descriptor (O_PATH is enough); the server will close it. */
  public static SourceRoot adopt(int fd) {
    return adopt(fd, "descriptor " + fd);
  }

  private static SourceRoot adopt(int fd, String what) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment st = arena.allocate(Stat.SIZE, 8);
      int r = Libc.fstatat(fd, arena.allocate(1), st, Fcntl.AT_EMPTY_PATH);
      if (r < 0 || !Fcntl.isDirectory(Stat.mode(st))) {
        Libc.close(fd);
        throw new CntrException(
            ExitCode.AGENT_FILESYSTEM_FAILED,
            "cannot serve "
                + what
                + ": "
                + (r < 0 ? "fstat: " + Errno.name(-r) : "not a directory"));
      }
      int procFd =
          Libc.openat(
              Fcntl.AT_FDCWD,
              arena.allocateFrom("/proc/self/fd"),
              Fcntl.O_PATH | Fcntl.O_DIRECTORY | Fcntl.O_CLOEXEC,
              0);
      if (procFd < 0) {
        Libc.close(fd);
        throw new CntrException(
            ExitCode.AGENT_FILESYSTEM_FAILED, "cannot open /proc/self/fd: " + Errno.name(-procFd));
      }
      return new SourceRoot(fd, procFd, Stat.dev(st), Stat.ino(st));
    }
  }
}
