package dev.lambdacntr.cntrfs;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import dev.lambdacntr.sys.Errno;
import dev.lambdacntr.sys.Fcntl;
import dev.lambdacntr.sys.Libc;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A descriptor of {@code /dev/fuse}: opened here, or adopted from a caller that opened it outside a
 * container. Whoever mounts it passes {@link #mountOptions()} to mount(2); the server then owns the
 * descriptor and closes it when it ends, which is also what aborts the connection if the server
 * dies. No other process may keep a copy of it, or a dead server would leave the mount hanging
 * instead of failing.
 */
public final class FuseDevice {
  /** The file system type to give mount(2). */
  public static final String FS_TYPE = "fuse.cntrfs";

  /** The source name mount(2) shows in the mount table. */
  public static final String SOURCE = "cntrfs";

  private static final MemorySegment DEVICE = Arena.global().allocateFrom("/dev/fuse");

  private final int fd;

  private FuseDevice(int fd) {
    this.fd = fd;
  }

  /** Opens {@code /dev/fuse} (close-on-exec). */
  public static FuseDevice open() {
    int fd = Libc.openat(Fcntl.AT_FDCWD, DEVICE, Fcntl.O_RDWR | Fcntl.O_CLOEXEC, 0);
    if (fd < 0) {
      throw new CntrException(
          ExitCode.AGENT_FILESYSTEM_FAILED, "cannot open /dev/fuse: " + Errno.name(-fd));
    }
    return new FuseDevice(fd);
  }

  /** Takes over a /dev/fuse descriptor that the caller opened; the server will close it. */
  public static FuseDevice adopt(int fd) {
    if (fd < 0) {
      throw new CntrException(
          ExitCode.AGENT_FILESYSTEM_FAILED, "not a /dev/fuse descriptor: " + fd);
    }
    return new FuseDevice(fd);
  }

  public int fd() {
    return fd;
  }

  /**
   * The data argument for mount(2) with flags {@code MS_NOSUID|MS_NODEV}: root of the new file
   * system a directory, owned by root, open to every user, permissions checked by the kernel.
   */
  public String mountOptions() {
    return "fd=" + fd + ",rootmode=40000,user_id=0,group_id=0,allow_other,default_permissions";
  }

  /** Closes the descriptor; only for a device that was never handed to a server. */
  public void close() {
    Libc.close(fd);
  }

  static MemorySegment devicePath() {
    return DEVICE;
  }

  /**
   * The connection number of a mounted FUSE descriptor (the minor device number of its super block,
   * the directory name under fusectl), read from /proc/self/fdinfo; -1 if not mounted.
   */
  static long connectionOf(int fd) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
        if (line.startsWith("fuse_connection:")) {
          return Long.parseLong(line.substring("fuse_connection:".length()).trim());
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }

  /** Whether this process holds CAP_SYS_ADMIN, which FUSE passthrough requires. */
  static boolean hasSysAdmin() {
    return capabilityBit(21);
  }

  private static boolean capabilityBit(int bit) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("CapEff:")) {
          long caps = Long.parseUnsignedLong(line.substring(7).trim(), 16);
          return (caps & (1L << bit)) != 0;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return false;
    }
    return false;
  }

  /** RLIMIT_NOFILE's soft limit, from /proc/self/limits. */
  static long openFileLimit() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
        if (line.startsWith("Max open files")) {
          String[] fields = line.substring("Max open files".length()).trim().split("\\s+");
          return fields[0].equals("unlimited") ? 1 << 20 : Long.parseLong(fields[0]);
        }
      }
    } catch (IOException | NumberFormatException e) {
      return 1024;
    }
    return 1024;
  }
}
