package dev.lambdacntr.agent.postmortem;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import java.util.ArrayList;
import java.util.List;

/**
 * The directories of an exited container's root filesystem, from its snapshot's mounts: what it
 * wrote ({@code upper}) and the image's layers below ({@code lowers}, top first).
 *
 * @param upper the directory the container wrote to
 * @param lowers the read-only layers, top first; empty for a snapshot without parents
 */
public record RootLayers(String upper, List<String> lowers) {
  public RootLayers {
    lowers = List.copyOf(lowers);
  }

  /** The layers of containerd's mounts: one overlay, or one bind of a snapshot without parents. */
  public static RootLayers of(List<RuntimeApi.Mount> mounts, String key) {
    if (mounts.size() != 1) {
      throw unsupported(key, mounts.size() + " mounts");
    }
    RuntimeApi.Mount mount = mounts.getFirst();
    if (mount.type().equals("bind")) {
      return new RootLayers(mount.source(), List.of());
    }
    if (!mount.type().equals("overlay")) {
      throw unsupported(key, "a mount of type " + mount.type());
    }
    String upper = null;
    List<String> lowers = new ArrayList<>();
    for (String option : mount.options()) {
      if (option.startsWith("upperdir=")) {
        upper = option.substring("upperdir=".length());
      } else if (option.startsWith("lowerdir=")) {
        lowers.addAll(List.of(option.substring("lowerdir=".length()).split(":")));
      }
    }
    if (upper == null) {
      throw unsupported(key, "an overlay without an upper directory");
    }
    return new RootLayers(upper, lowers);
  }

  private static CntrException unsupported(String key, String what) {
    return new CntrException(
        ExitCode.AGENT_RUNTIME_ERROR,
        "the root filesystem of the container (snapshot "
            + key
            + ") is "
            + what
            + "; a post-mortem view reads containerd's overlayfs snapshots");
  }
}
