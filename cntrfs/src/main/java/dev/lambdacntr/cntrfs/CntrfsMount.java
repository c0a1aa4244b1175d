package dev.lambdacntr.cntrfs;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import dev.lambdacntr.sys.Errno;
import dev.lambdacntr.sys.Fcntl;
import dev.lambdacntr.sys.Libc;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A cntrfs mount in the caller's own mount namespace: opens /dev/fuse, mounts it on a directory,
 * serves a source directory there, and unmounts on {@link #close()}. For the standalone command,
 * tests and benchmarks; the agent mounts inside a container itself and uses {@link CntrfsServer}.
 */
public final class CntrfsMount implements AutoCloseable {
  private final Path mountpoint;
  private final CntrfsServer server;

  private CntrfsMount(Path mountpoint, CntrfsServer server) {
    this.mountpoint = mountpoint;
    this.server = server;
  }

  /** Mounts {@code source} on {@code mountpoint} and starts serving it. */
  public static CntrfsMount mount(
      Path source, Path mountpoint, CntrfsOptions options, PrintStream log) {
    SourceRoot root = SourceRoot.open(source);
    FuseDevice device = FuseDevice.open();
    try (Arena arena = Arena.ofConfined()) {
      int r =
          Libc.mount(
              arena.allocateFrom(FuseDevice.SOURCE),
              arena.allocateFrom(mountpoint.toString()),
              arena.allocateFrom(FuseDevice.FS_TYPE),
              Fcntl.MS_NOSUID | Fcntl.MS_NODEV,
              arena.allocateFrom(device.mountOptions()));
      if (r < 0) {
        device.close();
        Libc.close(root.fd);
        Libc.close(root.procFd);
        throw new CntrException(
            ExitCode.AGENT_FILESYSTEM_FAILED,
            "cannot mount cntrfs on " + mountpoint + ": " + Errno.name(-r));
      }
    }
    return new CntrfsMount(mountpoint, CntrfsServer.serve(device, root, options, log));
  }

  public Path mountpoint() {
    return mountpoint;
  }

  public CntrfsServer server() {
    return server;
  }

  /**
   * Unmounts (lazily when the mount is busy) and waits for the server to end; aborts the connection
   * when it does not end within a few seconds.
   */
  @Override
  public void close() {
    try {
      unmountAndWait();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.stop();
    }
  }

  private void unmountAndWait() throws InterruptedException {
    if (!server.exited()) {
      try (Arena arena = Arena.ofConfined()) {
        MemorySegment target = arena.allocateFrom(mountpoint.toString());
        int r = Libc.umount2(target, 0);
        if (r == -Errno.EBUSY) {
          Libc.umount2(target, Fcntl.MNT_DETACH);
        }
      }
    }
    if (!server.awaitExit(Duration.ofSeconds(5))) {
      server.stop();
      server.awaitExit(Duration.ofSeconds(5));
    }
  }
}
