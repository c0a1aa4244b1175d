package dev.lambdacntr.agent;

import dev.lambdacntr.agent.view.FuseTools;
import dev.lambdacntr.agent.view.MountApiTools;
import dev.lambdacntr.agent.view.ToolsRoot;
import dev.lambdacntr.agent.view.ToolsServer;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
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

  /** The FUSE server of this build. */
  static ToolsServer.Factory cntrfs() {
    return (fuse, root) -> {
      fuse.close();
      throw new CntrException(
          ExitCode.AGENT_FILESYSTEM_FAILED,
          "the fuse backend needs cntrfs, which this build does not include yet: use --fs mount");
    };
  }
}
