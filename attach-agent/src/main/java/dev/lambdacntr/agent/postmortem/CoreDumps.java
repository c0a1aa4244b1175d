package dev.lambdacntr.agent.postmortem;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The core dumps an exited run left in its own files. With a file {@code core_pattern} (the
 * kernel's default {@code core}, or a path such as {@code /tmp/core.%e.%p}) the kernel writes a
 * crashing process's core into that process's own root, so a core of the run is among what it
 * wrote: the snapshot's upper directory. They are found by content (an ELF file of type {@code
 * ET_CORE}), whatever the pattern named them. A pipe pattern ({@code |/usr/lib/systemd/...}) hands
 * cores to a program on the node, which files them by host PID and time, not by container: they are
 * not looked for, since taking one by time could hand this pod's user another pod's memory.
 */
final class CoreDumps {
  /** The node's pattern, global to every namespace. */
  static final Path CORE_PATTERN = Path.of("/proc/sys/kernel/core_pattern");

  /** At most this many entries of what the run wrote are looked at. */
  static final int WALK_LIMIT = 100_000;

  /** ELF's {@code e_type} of a core file. */
  private static final short ET_CORE = 4;

  /** The magic, class, data and {@code e_type} of an ELF header end here. */
  private static final int HEADER = 18;

  private CoreDumps() {}

  /**
   * A core dump found.
   *
   * @param path where it is, relative to the root of what the run wrote
   * @param modified when the kernel finished writing it
   */
  record Found(Path path, FileTime modified) {}

  /** The core files below {@code written}, newest first; links are not followed. */
  static List<Found> find(Path written) throws IOException {
    List<Found> found = new ArrayList<>();
    int[] seen = {0};
    Files.walkFileTree(
        written,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
            return ++seen[0] > WALK_LIMIT ? FileVisitResult.TERMINATE : FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            if (++seen[0] > WALK_LIMIT) {
              return FileVisitResult.TERMINATE;
            }
            if (attrs.isRegularFile() && attrs.size() >= HEADER && isCore(file)) {
              found.add(new Found(written.relativize(file), attrs.lastModifiedTime()));
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) {
            // what the agent cannot read is not a core the kernel wrote there
            return FileVisitResult.CONTINUE;
          }
        });
    found.sort(Comparator.comparing(Found::modified).reversed().thenComparing(Found::path));
    return found;
  }

  /** Whether {@code file} starts with an ELF header of a core file, in either byte order. */
  static boolean isCore(Path file) {
    ByteBuffer header = ByteBuffer.allocate(HEADER);
    try (SeekableByteChannel channel =
        Files.newByteChannel(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      while (header.hasRemaining() && channel.read(header) > 0) {
        // read the whole header
      }
    } catch (IOException e) {
      return false;
    }
    if (header.hasRemaining()
        || header.get(0) != 0x7f
        || header.get(1) != 'E'
        || header.get(2) != 'L'
        || header.get(3) != 'F') {
      return false;
    }
    byte data = header.get(5);
    if (data != 1 && data != 2) {
      return false;
    }
    header.order(data == 1 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
    return header.getShort(16) == ET_CORE;
  }

  /**
   * Writes into {@code dir} (the session's {@code .lambda-cntr/}) the node's {@code core-pattern},
   * {@code cores} (every core found, as a path in the target's root, newest first) and {@code
   * core}: the newest, hard-linked when {@code held} (the hold is one file system), else a relative
   * link. Returns the newest's path in the target's root.
   */
  static Optional<String> collect(Path dir, Path written, boolean held, String pattern)
      throws IOException {
    PostMortemFiles.text(dir, "core-pattern", pattern);
    List<Found> found = find(written).stream().filter(f -> printable(f.path())).toList();
    StringBuilder list = new StringBuilder();
    for (Found core : found) {
      list.append('/').append(core.path()).append('\n');
    }
    PostMortemFiles.text(dir, "cores", list.toString().strip());
    if (found.isEmpty()) {
      return Optional.empty();
    }
    Path newest = found.getFirst().path();
    Path core = dir.resolve("core");
    if (held) {
      Files.createLink(core, written.resolve(newest.toString()));
    } else {
      Files.createSymbolicLink(core, Path.of("..").resolve(newest.toString()));
    }
    return Optional.of("/" + newest);
  }

  /** The node's {@code core_pattern}, or what kept it from being read. */
  static String nodePattern() {
    try {
      return Files.readString(CORE_PATTERN).strip();
    } catch (IOException e) {
      return "(unknown: " + e.getMessage() + ")";
    }
  }

  /** A name that a line of {@code cores} can hold as it is. */
  private static boolean printable(Path path) {
    return path.toString().chars().noneMatch(c -> c < 0x20 || c == 0x7f);
  }
}
