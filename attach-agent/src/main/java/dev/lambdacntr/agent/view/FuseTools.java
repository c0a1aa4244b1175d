package dev.lambdacntr.agent.view;

import dev.lambdacntr.agent.sys.Fd;
import dev.lambdacntr.agent.sys.Sys;
import dev.lambdacntr.protocol.ExitCode;
import dev.lambdacntr.sys.Fcntl;
import java.nio.file.Path;

/**
 * The {@code fuse} backend: the tools root served by cntrfs from the agent's JVM, as cntr 1.x did.
 * {@code /dev/fuse} is opened here, outside the target (its device cgroup would refuse it), and the
 * file system is created as a detached mount that the entering thread attaches inside; the JVM
 * stays alive to serve it for as long as the session lasts.
 */
public final class FuseTools implements ToolsRoot {
  private static final ExitCode FS = ExitCode.AGENT_FILESYSTEM_FAILED;

  private final Path root;
  private final ToolsServer.Factory servers;
  private ToolsServer server;

  public FuseTools(Path root, ToolsServer.Factory servers) {
    this.root = root;
    this.servers = servers;
  }

  @Override
  public Fd detachedMount() {
    Fd fuse = Sys.open("/dev/fuse", Fcntl.O_RDWR | Fcntl.O_CLOEXEC, FS, "open /dev/fuse");
    Fd mount;
    try (Fd context = Sys.fsopen("fuse", FS, "create a FUSE file system (fsopen)")) {
      String what = "configure the FUSE file system for " + root;
      Sys.fsconfig(context, "source", "cntrfs", FS, what);
      Sys.fsconfig(context, "subtype", "cntrfs", FS, what);
      Sys.fsconfig(context, "fd", Integer.toString(fuse.value()), FS, what);
      Sys.fsconfig(context, "rootmode", "40000", FS, what);
      Sys.fsconfig(context, "user_id", "0", FS, what);
      Sys.fsconfig(context, "group_id", "0", FS, what);
      Sys.fsconfig(context, "allow_other", null, FS, what);
      Sys.fsconfig(context, "default_permissions", null, FS, what);
      Sys.fsconfigCreate(context, FS, "create the FUSE file system for " + root);
      mount =
          Sys.fsmount(
              context,
              ToolsRoot.viewAttributes(),
              FS,
              "mount the FUSE file system for " + root + " (fsmount)");
    } catch (RuntimeException e) {
      fuse.close();
      throw e;
    }
    try {
      server = servers.serve(fuse, root);
      return mount;
    } catch (RuntimeException e) {
      mount.close();
      throw e;
    }
  }

  /** Whether the server still serves the mount made here (not yet made: false). */
  boolean serving() {
    return server != null && server.serving();
  }

  @Override
  public boolean servedByAgent() {
    return true;
  }

  @Override
  public String name() {
    return "fuse";
  }

  @Override
  public void close() {
    if (server != null) {
      server.close();
    }
  }
}
