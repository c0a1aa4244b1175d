package dev.lambdacntr.cntrfs;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A running cntrfs server: serves one mounted FUSE connection from a source directory with its own
 * platform threads until the file system is unmounted, the connection is aborted, or {@link
 * #stop()} is called.
 *
 * <pre>{@code
 * FuseDevice device = FuseDevice.open();        // outside the container
 * SourceRoot root = SourceRoot.open(toolsRoot);  // before any thread switches namespaces
 * // mount("cntrfs", target, FuseDevice.FS_TYPE, MS_NOSUID|MS_NODEV, device.mountOptions())
 * CntrfsServer server = CntrfsServer.serve(device, root, CntrfsOptions.defaults());
 * server.awaitExit();                            // returns once unmounted
 * }</pre>
 */
public final class CntrfsServer implements AutoCloseable {
  private final FuseSession session;

  private CntrfsServer(FuseSession session) {
    this.session = session;
  }

  /**
   * Serves {@code device}, which must already be mounted, from {@code root}. Returns at once; the
   * server owns both descriptors from now on and closes them when it ends. Call from a thread that
   * has not switched namespaces: the serving threads are created by it.
   */
  public static CntrfsServer serve(FuseDevice device, SourceRoot root, CntrfsOptions options) {
    return serve(device, root, options, System.err);
  }

  /** As {@link #serve(FuseDevice, SourceRoot, CntrfsOptions)}, logging to {@code log}. */
  public static CntrfsServer serve(
      FuseDevice device, SourceRoot root, CntrfsOptions options, PrintStream log) {
    FuseSession session =
        new FuseSession(device.fd(), root.fd, root.procFd, root.dev, root.ino, options, log);
    session.start();
    return new CntrfsServer(session);
  }

  FuseSession session() {
    return session;
  }

  /** Waits until the server has ended (unmounted, aborted or stopped). */
  public void awaitExit() throws InterruptedException {
    session.await();
  }

  /** Waits at most {@code timeout}; true if the server has ended. */
  public boolean awaitExit(Duration timeout) throws InterruptedException {
    return session.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Whether the server has ended. */
  public boolean exited() {
    return session.finished();
  }

  /** Why the server ended ({@code unmounted}, {@code aborted}, {@code stopped}, ...). */
  public String exitReason() {
    return session.endReason();
  }

  /** Whether file data goes straight to the source files (FUSE passthrough). */
  public boolean passthrough() {
    return session.passthrough();
  }

  /** The FUSE connection number (the directory under fusectl), or -1 if unknown. */
  public long connection() {
    return session.connection();
  }

  /**
   * Stops serving by aborting the connection: every process waiting on the mount gets ENOTCONN,
   * none is left blocked. The mount itself stays until someone unmounts it.
   */
  public void stop() {
    session.stop();
  }

  /** Stops the server and waits for its threads to end. */
  @Override
  public void close() {
    stop();
    try {
      session.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
