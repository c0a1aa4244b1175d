package dev.lambdacntr.agent.view;

import dev.lambdacntr.agent.sys.Fd;
import dev.lambdacntr.agent.sys.LibC;
import dev.lambdacntr.agent.sys.Sys;
import dev.lambdacntr.protocol.ExitCode;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Builds the CNTR view for the calling thread, which must be a dedicated platform thread: it leaves
 * the JVM's shared filesystem context, enters a private copy of the target's mount namespace, and
 * makes the tools root its root with the target's root below at {@code /var/lib/cntr}. The target's
 * own mount namespace is never changed: every mount happens in the copy, which is private (nothing
 * propagates back) and goes away with the session's last process.
 */
public final class ViewBuilder {
  private static final ExitCode FS = ExitCode.AGENT_FILESYSTEM_FAILED;

  private ViewBuilder() {}

  /** A detached clone of a part of the target, and where it goes in the view. */
  private record Piece(Fd mount, String destination) {}

  /**
   * Enters {@code targetMountNamespace} through a private copy and pivots into the view.
   *
   * @param targetMountNamespace the target's mount namespace
   * @param tools a detached mount of the tools root (consumed)
   * @param target how messages name the target
   */
  public static void enter(Fd targetMountNamespace, Fd tools, String target) {
    Sys.unshare(
        LibC.CLONE_FS,
        ExitCode.AGENT_ENTER_FAILED,
        "detach the entering thread's filesystem context");
    Sys.setns(
        targetMountNamespace,
        LibC.CLONE_NEWNS,
        ExitCode.AGENT_ENTER_FAILED,
        "enter the mount namespace of " + target);
    Sys.unshare(
        LibC.CLONE_NEWNS, ExitCode.AGENT_ENTER_FAILED, "copy the mount namespace of " + target);
    Sys.mount(
        null,
        "/",
        null,
        LibC.MS_REC | LibC.MS_PRIVATE,
        null,
        FS,
        "make the session's mounts private");

    List<Piece> pieces = new ArrayList<>();
    try {
      for (String tree : CntrLayout.TARGET_TREES) {
        clone(tree, true, target).ifPresent(pieces::add);
      }
      for (String file : CntrLayout.IDENTITY_FILES) {
        clone(file, false, target).ifPresent(pieces::add);
      }

      // The tools on top of the target's root, then swap: the target's root moves below.
      Sys.moveMount(tools, "/", FS, "attach the tools root in the session's namespace");
      Sys.fchdir(tools, FS, "enter the tools root");
      Sys.pivotRoot(
          ".",
          CntrLayout.TARGET_ROOT.substring(1),
          FS,
          "make the tools root the session's root (pivot_root)");

      for (Piece piece : pieces) {
        if (Files.exists(Path.of(piece.destination()), LinkOption.NOFOLLOW_LINKS)) {
          Sys.moveMount(
              piece.mount(),
              piece.destination(),
              FS,
              "mount the target's " + piece.destination() + " in the view");
        }
      }
      for (String scratch : CntrLayout.SCRATCH) {
        if (Files.isDirectory(Path.of(scratch), LinkOption.NOFOLLOW_LINKS)) {
          Sys.mount(
              "tmpfs",
              scratch,
              "tmpfs",
              LibC.MS_NOSUID | LibC.MS_NODEV,
              "mode=1777",
              FS,
              "mount a private " + scratch);
        }
      }
    } finally {
      pieces.forEach(piece -> piece.mount().close());
      tools.close();
    }
  }

  /** Clones a path of the target (the thread's root is still the target's); empty if missing. */
  private static Optional<Piece> clone(String path, boolean recursive, String target) {
    return Sys.openTreeIfPresent(path, recursive, FS, "clone " + path + " of " + target)
        .map(mount -> new Piece(mount, path));
  }
}
