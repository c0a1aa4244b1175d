package dev.lambdacntr.cntrfs;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.lambdacntr.cntrfs.fuse.FuseLayouts.BackingMap;
import dev.lambdacntr.cntrfs.fuse.Kernel;
import dev.lambdacntr.sys.Errno;
import dev.lambdacntr.sys.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.function.Consumer;

/**
 * FUSE passthrough: the kernel reads and writes an open file's data directly on the source file
 * (Linux 6.9+), so file data never crosses the server. All open files of one inode share one
 * backing registration, which is released with the last of them. Also counts open files per inode
 * so that pruning leaves busy inodes alone.
 */
final class Backings {
  private volatile boolean enabled;
  private final boolean required;
  private final Consumer<String> log;

  Backings(boolean enabled, boolean required, Consumer<String> log) {
    this.enabled = enabled;
    this.required = required;
    this.log = log;
  }

  boolean enabled() {
    return enabled;
  }

  void enable(boolean on) {
    enabled = on;
  }

  /**
   * Counts an open of {@code inode} and chooses how its data travels; returns the backing ID, or 0
   * when this file goes through the server. The kernel wants all open files of an inode to agree:
   * while one uses a backing, an open without it fails (EIO), and while one goes through the server
   * and the page cache, an open with a backing fails. So an inode that is open already keeps its
   * way, and only its first open chooses: {@code fd} becomes the backing when {@code wanted}.
   */
  int attach(Inode inode, int fd, int deviceFd, boolean wanted) {
    synchronized (inode) {
      inode.opens++;
      if (inode.backingId > 0) {
        return inode.backingId;
      }
      if (inode.opens > 1 || !wanted) {
        return 0;
      }
      int id = backingOpen(fd, deviceFd);
      if (id > 0) {
        inode.backingId = id;
        return id;
      }
      if (!required && id == -Errno.EPERM) {
        enabled = false;
        log.accept("passthrough refused (" + Errno.name(-id) + "): serving file data instead");
      }
      return 0;
    }
  }

  /** Counts an open that has no backing (a directory, or a file without passthrough). */
  void track(Inode inode) {
    synchronized (inode) {
      inode.opens++;
    }
  }

  void untrack(Inode inode) {
    synchronized (inode) {
      inode.opens--;
    }
  }

  /** Counts a release; the last one of an inode drops its backing registration. */
  void detach(Inode inode, int deviceFd) {
    synchronized (inode) {
      inode.opens--;
      if (inode.opens <= 0 && inode.backingId > 0) {
        backingClose(inode.backingId, deviceFd);
        inode.backingId = 0;
      }
    }
  }

  private static int backingOpen(int fd, int deviceFd) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment map = arena.allocate(BackingMap.SIZE, 8);
      BackingMap.FD.set(map, 0L, fd);
      return Libc.ioctl(deviceFd, Kernel.DEV_IOC_BACKING_OPEN, map);
    }
  }

  private static void backingClose(int id, int deviceFd) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment cell = arena.allocate(JAVA_INT);
      cell.set(JAVA_INT, 0, id);
      Libc.ioctl(deviceFd, Kernel.DEV_IOC_BACKING_CLOSE, cell);
    }
  }
}
