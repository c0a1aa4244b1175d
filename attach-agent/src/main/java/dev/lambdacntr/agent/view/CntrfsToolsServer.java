package dev.lambdacntr.agent.view;

import dev.lambdacntr.agent.sys.Fd;
import dev.lambdacntr.agent.sys.Sys;
import dev.lambdacntr.cntrfs.CntrfsOptions;
import dev.lambdacntr.cntrfs.CntrfsServer;
import dev.lambdacntr.cntrfs.FuseDevice;
import dev.lambdacntr.cntrfs.SourceRoot;
import dev.lambdacntr.protocol.ExitCode;
import dev.lambdacntr.sys.Fcntl;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;

/** cntrfs (the {@code cntrfs} module) as the server of the FUSE backend. */
public final class CntrfsToolsServer implements ToolsServer {
  /**
   * cntrfs's defaults, with a fixed number of serving threads: its default grows with the node's
   * CPUs, and debug shells' requests do not need dozens of threads in the agent's JVM (a node
   * agent's sessions share one server, {@link SharedFuseTools}).
   */
  private static final CntrfsOptions OPTIONS = CntrfsOptions.defaults().with("threads=4");

  private final CntrfsServer server;

  private CntrfsToolsServer(CntrfsServer server) {
    this.server = server;
  }

  /**
   * A {@link ToolsServer.Factory}: cntrfs with its defaults, serving {@code root}'s own mount, not
   * the mounts below it, as the mount backend does: in the agent pod those are the pod's service
   * mounts and the runtime socket's directory, which the session must not see. cntrfs serves a
   * non-recursive clone of the tools root's mount ({@code open_tree(OPEN_TREE_CLONE)}), in which no
   * lookup can cross into another mount.
   */
  public static ToolsServer serve(Fd fuse, Path root) {
    FuseDevice device = FuseDevice.adopt(fuse.value());
    SourceRoot source;
    try {
      Fd clone =
          Sys.openTree(
              Fcntl.AT_FDCWD,
              root.toString(),
              false,
              ExitCode.AGENT_FILESYSTEM_FAILED,
              "clone the tools root " + root + " for cntrfs (open_tree)");
      source = SourceRoot.adopt(clone.value()); // cntrfs owns the descriptor from here
    } catch (RuntimeException e) {
      device.close();
      throw e;
    }
    return new CntrfsToolsServer(CntrfsServer.serve(device, source, OPTIONS, log()));
  }

  /**
   * cntrfs's own log lines ("connected: FUSE 7.45...") would land on the user's terminal: they go
   * to stderr only when tracing ({@code LAMBDA_CNTR_TRACE=1}).
   */
  private static PrintStream log() {
    return "1".equals(System.getenv("LAMBDA_CNTR_TRACE"))
        ? System.err
        : new PrintStream(OutputStream.nullOutputStream());
  }

  @Override
  public boolean serving() {
    return !server.exited();
  }

  /**
   * Stops the server unless it has ended already: normally the session's private mount namespace
   * went away with the session, which ended the connection and the server with it.
   */
  @Override
  public void close() {
    try {
      if (server.awaitExit(Duration.ofSeconds(1))) {
        return;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    server.close();
  }
}
