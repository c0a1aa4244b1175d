package dev.lambdacntr.agent;

import dev.lambdacntr.agent.view.MountApiTools;
import dev.lambdacntr.agent.view.ToolsRoot;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import dev.lambdacntr.protocol.FsBackend;
import java.nio.file.Path;

/** {@code --fs}: which {@link ToolsRoot} serves the view. */
final class Backends {
  private Backends() {}

  static ToolsRoot choose(FsBackend backend, Path toolsRoot) {
    return switch (backend) {
      case MOUNT, AUTO -> new MountApiTools(toolsRoot);
      case FUSE ->
          throw new CntrException(
              ExitCode.AGENT_FILESYSTEM_FAILED, "the fuse backend is not available yet");
    };
  }
}
