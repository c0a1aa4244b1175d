package dev.lambdacntr.agent.postmortem;

import dev.lambdacntr.sys.Libc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Holds what an exited container wrote for as long as a post-mortem session looks at it: a tree of
 * hard links to the files of its snapshot's upper directory (directories made anew with their
 * owner, mode and overlayfs's opaque mark; whiteouts linked like any file), beside the session's
 * own files ({@code info/.lambda-cntr/}). When the kubelet removes the dead container during the
 * session, containerd deletes its snapshot's names, and the session still sees every file through
 * its own names. Linking costs one call per entry of what the container wrote, not a copy of data.
 *
 * <p>A hold lives in {@value #BASE} on the node, named after the process that made it ({@code
 * PID-STARTTIME-N}); it is removed when the session ends, and by {@link #sweep} when the process
 * that made it is gone (an agent killed with SIGKILL), at the start of every post-mortem session.
 */
public final class SnapshotHold implements AutoCloseable {
  /** Where holds live on the node. */
  public static final String BASE = "/var/lib/lambda-cntr/post-mortem";

  /**
   * overlayfs's marks of a directory that hides the layers below, as root and rootless set them.
   */
  private static final List<String> OPAQUE =
      List.of("trusted.overlay.opaque", "user.overlay.opaque");

  private static int sequence;

  private final Path dir;
  private boolean held;

  private SnapshotHold(Path dir) {
    this.dir = dir;
  }

  /** The links to the container's files, when {@link #hold} made them: the view's upper layer. */
  public Optional<Path> files() {
    return held ? Optional.of(dir.resolve("files")) : Optional.empty();
  }

  /** The session's files, laid over the container's: {@code .lambda-cntr/}. */
  public Path info() {
    return dir.resolve("info");
  }

  /**
   * A new hold below {@code base} (the node's {@value #BASE}, reached through a host process's
   * root), with its {@link #info} directory and nothing held yet.
   */
  public static SnapshotHold create(Path base) throws IOException {
    Files.createDirectories(base);
    // only root may pass: a hold links what the container wrote, set-user-ID files included,
    // which containerd keeps below its own 0700 directory
    Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwx------"));
    Path dir = base.resolve(owner() + "-" + nextSequence());
    Files.createDirectory(dir);
    SnapshotHold hold = new SnapshotHold(dir);
    Files.createDirectory(hold.info());
    return hold;
  }

  /**
   * Links the tree {@code upper} into the hold; false, with the partial tree removed, when a link
   * cannot be made (the hold's base on another file system than the snapshots: EXDEV).
   */
  public boolean hold(Path upper) throws IOException {
    Path files = dir.resolve("files");
    try {
      linkTree(upper, files);
      held = true;
      return true;
    } catch (java.nio.file.FileSystemException e) {
      removeTree(files);
      if ("Invalid cross-device link".equals(e.getReason())) {
        return false;
      }
      throw e;
    }
  }

  private static synchronized int nextSequence() {
    return ++sequence;
  }

  /** This process's PID and start time, which no later process has together. */
  private static String owner() throws IOException {
    long pid = ProcessHandle.current().pid();
    return pid + "-" + startTime(pid).orElseThrow(() -> new IOException("no start time of " + pid));
  }

  /** When process {@code pid} started (milliseconds since the epoch), while it runs. */
  private static Optional<String> startTime(long pid) {
    return ProcessHandle.of(pid)
        .flatMap(process -> process.info().startInstant())
        .map(start -> Long.toString(start.toEpochMilli()));
  }

  private static void linkTree(Path upper, Path copy) throws IOException {
    Files.walkFileTree(
        upper,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path source, BasicFileAttributes attrs)
              throws IOException {
            Path target = copy.resolve(upper.relativize(source).toString());
            Files.createDirectory(target);
            PosixFileAttributes posix =
                Files.readAttributes(source, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            PosixFileAttributeView view =
                Files.getFileAttributeView(target, PosixFileAttributeView.class);
            view.setOwner(posix.owner());
            view.setGroup(posix.group());
            view.setPermissions(posix.permissions());
            copyOpaqueMark(source, target);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path source, BasicFileAttributes attrs)
              throws IOException {
            // link(2) links a symbolic link itself, and a whiteout (0/0 device) like any file
            Files.createLink(copy.resolve(upper.relativize(source).toString()), source);
            return FileVisitResult.CONTINUE;
          }
        });
  }

  private static void copyOpaqueMark(Path source, Path target) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      for (String name : OPAQUE) {
        MemorySegment key = Libc.cstr(arena, name);
        MemorySegment value = arena.allocate(16);
        long length = Libc.getxattr(Libc.cstr(arena, source.toString()), key, value, 16);
        if (length > 0
            && Libc.setxattr(Libc.cstr(arena, target.toString()), key, value, length, 0) < 0) {
          throw new IOException("cannot mark " + target + " opaque (" + name + ")");
        }
      }
    }
  }

  /** Removes the hold; the container's files stay where containerd keeps them. */
  @Override
  public void close() {
    removeTree(dir);
  }

  /** Removes the holds below {@code base} whose making process is gone. */
  public static void sweep(Path base) {
    if (!Files.isDirectory(base, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (DirectoryStream<Path> holds = Files.newDirectoryStream(base)) {
      for (Path hold : holds) {
        String[] parts = hold.getFileName().toString().split("-");
        boolean alive =
            parts.length == 3
                && parts[0].chars().allMatch(Character::isDigit)
                && startTime(Long.parseLong(parts[0])).map(parts[1]::equals).orElse(false);
        if (!alive) {
          removeTree(hold);
        }
      }
    } catch (IOException | RuntimeException e) {
      // a sweep that cannot look leaves the holds to the next one
    }
  }

  private static void removeTree(Path root) {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException | UncheckedIOException e) {
      System.err.println(
          "lambda-cntr: warning: cannot remove the post-mortem hold " + root + ": " + e);
    }
  }
}
