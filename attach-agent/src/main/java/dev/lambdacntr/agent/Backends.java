package dev.lambdacntr.agent;

import dev.lambdacntr.agent.view.CntrfsToolsServer;
import dev.lambdacntr.agent.view.FuseTools;
import dev.lambdacntr.agent.view.MountApiTools;
import dev.lambdacntr.agent.view.ToolsRoot;
import dev.lambdacntr.agent.view.ToolsServer;
import dev.lambdacntr.protocol.FsBackend;
import java.nio.file.Path;

/**
 * {@code --fs}: which {@link ToolsRoot} serves the view; {@code auto} is the mount API when the
 * kernel has it.
 */
final class Backends {
  private Backends() {}

  static ToolsRoot choose(FsBackend backend, Path toolsRoot) {
    return switch (backend) {
      case MOUNT -> new MountApiTools(toolsRoot);
      case FUSE -> new FuseTools(toolsRoot, cntrfs());
      case AUTO ->
          MountApiTools.kernelSupports()
              ? new MountApiTools(toolsRoot)
              : new FuseTools(toolsRoot, cntrfs());
    };
  }

  /** The FUSE server: cntrfs. */
  static ToolsServer.Factory cntrfs() {
    return CntrfsToolsServer::serve;
  }
}
