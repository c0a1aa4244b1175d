package dev.lambdacntr.agent;

import dev.lambdacntr.agent.view.CntrfsToolsServer;
import dev.lambdacntr.agent.view.FuseTools;
import dev.lambdacntr.agent.view.MountApi;
import dev.lambdacntr.agent.view.MountApiTools;
import dev.lambdacntr.agent.view.SharedFuseTools;
import dev.lambdacntr.agent.view.ToolsRoot;
import dev.lambdacntr.agent.view.ToolsServer;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import dev.lambdacntr.protocol.FsBackend;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code --fs}: which {@link ToolsRoot} serves the view. {@code auto} is the mount backend: FUSE is
 * no fallback for a kernel without the mount API, which it needs as well ({@link MountApi}), so
 * there {@code auto} fails at once, naming the missing call.
 */
final class Backends {
  private Backends() {}

  static ToolsRoot choose(FsBackend backend, Path toolsRoot) {
    return choose(backend, toolsRoot, Optional.empty());
  }

  /**
   * Like {@link #choose(FsBackend, Path)}; {@code fuse} clones {@code shared}'s mount when it
   * serves this tools root (a resident agent's).
   */
  static ToolsRoot choose(FsBackend backend, Path toolsRoot, Optional<SharedFuseTools> shared) {
    FsBackend chosen = backend == FsBackend.AUTO ? auto(MountApi.probe()) : backend;
    Optional<SharedFuseTools> sharing = shared.filter(s -> s.root().equals(toolsRoot));
    return switch (chosen) {
      case MOUNT -> new MountApiTools(toolsRoot);
      case FUSE ->
          sharing.isPresent() ? sharing.get().forSession() : new FuseTools(toolsRoot, cntrfs());
      case AUTO -> throw new IllegalStateException("auto resolves to a backend");
    };
  }

  /**
   * What {@code auto} picks from what the probe found: {@code mount} when the kernel's mount API is
   * usable; otherwise neither backend can build the view, and this fails with the file system
   * failure's exit code.
   */
  static FsBackend auto(MountApi api) {
    Optional<String> unusable = api.unusable();
    if (unusable.isPresent()) {
      throw new CntrException(
          ExitCode.AGENT_FILESYSTEM_FAILED,
          "cannot build the view with either backend (--fs auto): the kernel's mount API is"
              + " missing or refused ("
              + unusable.get()
              + "), and mount and fuse both need it (open_tree and mount_setattr, Linux 5.12 or"
              + " later)");
    }
    return FsBackend.MOUNT;
  }

  /** The FUSE server: cntrfs. */
  static ToolsServer.Factory cntrfs() {
    return CntrfsToolsServer::serve;
  }
}
