package dev.lambdacntr.cli.copy;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Writes a tar stream from the target to this machine, treating every entry as hostile: names that
 * climb out ({@code ..}, absolute) or lead through a symbolic link are refused, links are created
 * as links and never followed, hard links must point at a file the same archive wrote, devices and
 * FIFOs are skipped, and setuid, setgid and sticky bits are dropped. The archive's top entry
 * becomes {@code destination}; the rest goes below it.
 */
final class ArchiveExtractor {

  private record DirectoryTimes(Path path, int mode, FileTime modified) {}

  private final Path destination;
  private final String top;
  private final Consumer<String> warn;
  private final TransferMeter meter;
  private final List<DirectoryTimes> directories = new ArrayList<>();
  private int entries;

  /**
   * @param destination where the top entry goes
   * @param top the top entry's name in the archive, or {@code .} when the archive's entries are all
   *     below {@code destination} (a copy of the target's root)
   */
  ArchiveExtractor(Path destination, String top, Consumer<String> warn, TransferMeter meter) {
    this.destination = destination;
    this.top = top;
    this.warn = warn;
    this.meter = meter;
  }

  /** The number of entries written. */
  int entries() {
    return entries;
  }

  /** Reads the whole stream; returns normally only when every entry was written. */
  void extract(InputStream in) {
    try {
      TarArchiveInputStream tar = new TarArchiveInputStream(in);
      for (TarArchiveEntry entry; (entry = tar.getNextEntry()) != null; ) {
        write(tar, entry);
      }
      Collections.reverse(directories);
      for (DirectoryTimes dir : directories) {
        Files.setPosixFilePermissions(dir.path(), Modes.permissions(dir.mode()));
        Files.getFileAttributeView(
                dir.path(), BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
            .setTimes(dir.modified(), null, null);
      }
    } catch (IOException e) {
      throw new CntrException(
          ExitCode.LOCAL_PATH,
          "cp: cannot write below " + destination + ": " + IoMessages.describe(e),
          e);
    }
  }

  private void write(TarArchiveInputStream tar, TarArchiveEntry entry) throws IOException {
    Path path = local(entry.getName());
    if (entry.isCharacterDevice() || entry.isBlockDevice() || entry.isFIFO()) {
      warn.accept("skipped " + entry.getName() + ": a device or FIFO");
      return;
    }
    if (entry.isDirectory()) {
      ensureDirectory(path);
      directories.add(new DirectoryTimes(path, entry.getMode(), modified(entry)));
    } else if (entry.isSymbolicLink()) {
      replaceable(path);
      Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
      setTime(path, entry);
    } else if (entry.isLink()) {
      Path existing = local(entry.getLinkName());
      if (!Files.isRegularFile(existing, LinkOption.NOFOLLOW_LINKS)) {
        throw new IOException(
            "refused hard link " + entry.getName() + ": " + entry.getLinkName() + " is no file");
      }
      replaceable(path);
      Files.createLink(path, existing);
    } else if (entry.isFile()) {
      replaceable(path);
      try (OutputStream out =
          Files.newOutputStream(
              path,
              StandardOpenOption.CREATE_NEW,
              StandardOpenOption.WRITE,
              LinkOption.NOFOLLOW_LINKS)) {
        byte[] buffer = new byte[256 * 1024];
        for (int n; (n = tar.read(buffer)) > 0; ) {
          out.write(buffer, 0, n);
          meter.add(n);
        }
      }
      Files.setPosixFilePermissions(path, Modes.permissions(entry.getMode()));
      setTime(path, entry);
    } else {
      warn.accept("skipped " + entry.getName() + ": not a file, directory or link");
      return;
    }
    entries++;
  }

  /**
   * The local path of an archive name: below {@code destination}, with no component that climbs and
   * no existing symbolic link on the way.
   */
  Path local(String name) throws IOException {
    List<String> parts = new ArrayList<>();
    for (String part : name.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        throw new IOException("refused entry " + name + ": it climbs out with '..'");
      }
      parts.add(part);
    }
    if (!top.equals(".")) {
      if (parts.isEmpty() || !parts.getFirst().equals(top)) {
        throw new IOException("refused entry " + name + ": it is not below " + top);
      }
      parts = parts.subList(1, parts.size());
    }
    Path path = destination;
    for (String part : parts) {
      if (Files.isSymbolicLink(path)) {
        throw new IOException(
            "refused entry " + name + ": it leads through the symbolic link " + path);
      }
      path = path.resolve(part);
    }
    return path;
  }

  private static void ensureDirectory(Path path) throws IOException {
    if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException(path + " exists and is not a directory");
    }
    Files.createDirectory(path);
  }

  /** Removes a file or link that an entry replaces; a directory is never replaced. */
  private static void replaceable(Path path) throws IOException {
    if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
      throw new FileSystemException(
          path.toString(), null, "a directory; a file cannot replace it (EISDIR)");
    }
    Files.deleteIfExists(path);
  }

  private static void setTime(Path path, TarArchiveEntry entry) throws IOException {
    Files.getFileAttributeView(path, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
        .setTimes(modified(entry), null, null);
  }

  private static FileTime modified(TarArchiveEntry entry) {
    return FileTime.from(entry.getLastModifiedTime().toInstant());
  }
}
