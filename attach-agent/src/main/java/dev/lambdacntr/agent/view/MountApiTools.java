package dev.lambdacntr.agent.view;

import dev.lambdacntr.agent.sys.Fd;
import dev.lambdacntr.agent.sys.Sys;
import dev.lambdacntr.protocol.ExitCode;
import dev.lambdacntr.sys.Fcntl;
import java.nio.file.Path;

/**
 * The {@code mount} backend: the kernel's mount API clones the tools root's mount ({@code
 * open_tree(OPEN_TREE_CLONE)}), so the session sees the tools at native speed. Only the tools
 * root's own mount is cloned, not the mounts below it: in the agent pod those are the pod's service
 * mounts and the runtime socket's directory, which the session must not see.
 */
public final class MountApiTools implements ToolsRoot {
  private final Path root;

  public MountApiTools(Path root) {
    this.root = root;
  }

  @Override
  public Fd detachedMount() {
    Fd tree =
        Sys.openTree(
            Fcntl.AT_FDCWD,
            root.toString(),
            false,
            ExitCode.AGENT_FILESYSTEM_FAILED,
            "clone the tools root " + root + " (open_tree)");
    try {
      Sys.mountSetattr(
          tree,
          ToolsRoot.viewAttributes(),
          0,
          ExitCode.AGENT_FILESYSTEM_FAILED,
          "make the clone of the tools root " + root + " read-only");
      return tree;
    } catch (RuntimeException e) {
      tree.close();
      throw e;
    }
  }

  @Override
  public boolean servedByAgent() {
    return false;
  }

  @Override
  public String name() {
    return "mount";
  }

  @Override
  public void close() {
    // nothing runs for this backend
  }
}
