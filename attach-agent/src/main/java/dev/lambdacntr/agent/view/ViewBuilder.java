package dev.lambdacntr.agent.view;

import dev.lambdacntr.agent.sys.Fd;
import dev.lambdacntr.agent.sys.Sys;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import dev.lambdacntr.sys.Fcntl;
import dev.lambdacntr.sys.Mounts;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Builds the CNTR view for the calling thread, which must be a dedicated platform thread: it leaves
 * the JVM's shared filesystem context, enters a private copy of the target's mount namespace, and
 * makes the tools root its root with the target's root below at {@code /var/lib/cntr}. The target's
 * own mount namespace is never changed: every mount happens in the copy, which is private (nothing
 * propagates back) and goes away with the session's last process.
 *
 * <p>Every path of the target is the target's to choose: the pieces are found with {@code
 * openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)} from the target's root, so that no link leads
 * out of it or through {@code /proc}; the trees must be directories reached without any link, the
 * identity files regular files, bound with nosuid, nodev and noexec. A piece that is not what it
 * should be is left out with a one-line warning, and the tools' own stays: a malformed target is
 * still debuggable.
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
   * @param scratchSize the size of the private {@code /tmp} and {@code /run} (tmpfs {@code size=}),
   *     so that a runaway tool gets ENOSPC rather than filling the target's memory
   * @param warnings where a line about a piece of the target left out goes: the session's stderr
   * @param exited for a post-mortem session, the exited container's root, which takes the place of
   *     the root of {@code targetMountNamespace} (its sandbox's) at {@code /var/lib/cntr}, and from
   *     which the identity files come
   */
  public static void enter(
      Fd targetMountNamespace,
      Fd tools,
      String target,
      String scratchSize,
      Consumer<String> warnings,
      Optional<ExitedRoot> exited) {
    Sys.unshare(
        Fcntl.CLONE_FS,
        ExitCode.AGENT_ENTER_FAILED,
        "detach the entering thread's filesystem context");
    Sys.setns(
        targetMountNamespace,
        Fcntl.CLONE_NEWNS,
        ExitCode.AGENT_ENTER_FAILED,
        "enter the mount namespace of " + target);
    Sys.unshare(
        Fcntl.CLONE_NEWNS, ExitCode.AGENT_ENTER_FAILED, "copy the mount namespace of " + target);
    Sys.mount(
        null,
        "/",
        null,
        Fcntl.MS_REC | Fcntl.MS_PRIVATE,
        null,
        FS,
        "make the session's mounts private");

    List<Piece> pieces = new ArrayList<>();
    try (Fd targetRoot =
        Sys.open("/", Fcntl.O_PATH | Fcntl.O_DIRECTORY | Fcntl.O_CLOEXEC, FS, "open " + target)) {
      for (String tree : CntrLayout.TARGET_TREES) {
        clone(targetRoot, tree, true, target, warnings).ifPresent(pieces::add);
      }
      if (exited.isEmpty()) {
        for (String file : CntrLayout.IDENTITY_FILES) {
          clone(targetRoot, file, false, target, warnings).ifPresent(pieces::add);
        }
      }

      // The tools on top of the target's root, then swap: the target's root moves below.
      Sys.moveMount(tools, "/", FS, "attach the tools root in the session's namespace");
      Sys.fchdir(tools, FS, "enter the tools root");
      Sys.pivotRoot(
          ".",
          CntrLayout.TARGET_ROOT.substring(1),
          FS,
          "make the tools root the session's root (pivot_root)");

      if (exited.isPresent()) {
        exited.get().attach(CntrLayout.TARGET_ROOT, target, warnings);
        for (String file : CntrLayout.IDENTITY_FILES) {
          clone(exited.get().root(), file, false, target, warnings).ifPresent(pieces::add);
        }
      }
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
              Fcntl.MS_NOSUID | Fcntl.MS_NODEV,
              "mode=1777,size=" + scratchSize,
              FS,
              "mount a private " + scratch);
        }
      }
    } finally {
      pieces.forEach(piece -> piece.mount().close());
      tools.close();
    }
  }

  /**
   * Clones a tree (with its mounts) or a single file of the target; empty, with a warning, when it
   * is missing or not what it should be.
   */
  private static Optional<Piece> clone(
      Fd root, String path, boolean tree, String target, Consumer<String> warnings) {
    long resolve =
        Fcntl.RESOLVE_IN_ROOT
            | Fcntl.RESOLVE_NO_MAGICLINKS
            | (tree ? Fcntl.RESOLVE_NO_SYMLINKS : 0);
    Optional<Fd> found;
    try {
      found =
          Sys.openat2(
              root,
              path.substring(1),
              Fcntl.O_PATH | Fcntl.O_CLOEXEC | (tree ? Fcntl.O_NOFOLLOW : 0),
              resolve,
              FS,
              "open the target's " + path);
    } catch (CntrException e) {
      // ELOOP (a link where none may be), EXDEV (one out of the root), ...
      warnings.accept(leftOut(target, path, e.getMessage()));
      return Optional.empty();
    }
    if (found.isEmpty()) {
      return Optional.empty();
    }
    try (Fd file = found.get()) {
      int type = Sys.fileType(file, FS, "inspect the target's " + path);
      int wanted = tree ? Fcntl.S_IFDIR : Fcntl.S_IFREG;
      if (type != wanted) {
        warnings.accept(
            leftOut(target, path, "it is " + describe(type) + ", not " + describe(wanted)));
        return Optional.empty();
      }
      Fd mount = Sys.openTree(file.value(), "", tree, FS, "clone " + path + " of " + target);
      if (!tree) {
        try {
          Sys.mountSetattr(
              mount,
              Mounts.MOUNT_ATTR_NOSUID | Mounts.MOUNT_ATTR_NODEV | Mounts.MOUNT_ATTR_NOEXEC,
              0,
              FS,
              "make the clone of the target's " + path + " nosuid, nodev, noexec");
        } catch (CntrException e) {
          mount.close();
          throw e;
        }
      }
      return Optional.of(new Piece(mount, path));
    }
  }

  private static String leftOut(String target, String path, String why) {
    return "lambda-cntr: warning: the view leaves out the "
        + path
        + " of "
        + target
        + " (the tools' own is used): "
        + why;
  }

  private static String describe(int type) {
    return switch (type) {
      case Fcntl.S_IFREG -> "a regular file";
      case Fcntl.S_IFDIR -> "a directory";
      case 0xa000 -> "a symbolic link";
      case 0x1000 -> "a FIFO";
      case 0x2000 -> "a character device";
      case 0x6000 -> "a block device";
      case 0xc000 -> "a socket";
      default -> "of type " + Integer.toOctalString(type);
    };
  }
}
