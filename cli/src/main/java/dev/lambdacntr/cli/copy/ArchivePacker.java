package dev.lambdacntr.cli.copy;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.function.Consumer;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Writes a local file or directory tree as a tar stream (POSIX long names and sizes): regular
 * files, directories and symbolic links (as links, never followed), with their permission bits and
 * modification times; owners are left out, the target's user owns what it extracts. Sockets, FIFOs
 * and devices are skipped with a warning.
 */
final class ArchivePacker {

  private final Consumer<String> warn;
  private final TransferMeter meter;

  ArchivePacker(Consumer<String> warn, TransferMeter meter) {
    this.warn = warn;
    this.meter = meter;
  }

  /** Writes {@code source} with {@code top} as the name of its top entry, then ends the archive. */
  void pack(Path source, String top, OutputStream out) {
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      Files.walkFileTree(
          source,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
                throws IOException {
              add(tar, dir, name(source, dir, top) + "/");
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              add(tar, file, name(source, file, top));
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
              throw e;
            }
          });
      tar.finish();
    } catch (IOException e) {
      throw new CntrException(ExitCode.LOCAL_PATH, "cp: cannot read " + IoMessages.describe(e), e);
    } catch (UncheckedIOException e) {
      throw new CntrException(
          ExitCode.LOCAL_PATH, "cp: cannot read " + IoMessages.describe(e.getCause()), e);
    }
  }

  private static String name(Path source, Path path, String top) {
    Path relative = source.relativize(path);
    return relative.toString().isEmpty() ? top : top + "/" + relative.toString().replace('\\', '/');
  }

  private void add(TarArchiveOutputStream tar, Path path, String name) throws IOException {
    PosixFileAttributes attrs =
        Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    int permissions = Modes.bits(attrs.permissions());
    TarArchiveEntry entry;
    if (attrs.isSymbolicLink()) {
      entry = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
      entry.setLinkName(Files.readSymbolicLink(path).toString());
    } else if (attrs.isDirectory()) {
      entry = new TarArchiveEntry(name);
      entry.setMode(TarArchiveEntry.DEFAULT_DIR_MODE & ~0777 | permissions);
    } else if (attrs.isRegularFile()) {
      entry = new TarArchiveEntry(name);
      entry.setMode(TarArchiveEntry.DEFAULT_FILE_MODE & ~0777 | permissions);
      entry.setSize(attrs.size());
    } else {
      warn.accept("skipped " + path + ": not a file, directory or symbolic link");
      return;
    }
    entry.setModTime(attrs.lastModifiedTime());
    tar.putArchiveEntry(entry);
    if (attrs.isRegularFile()) {
      try (var in = Files.newInputStream(path, LinkOption.NOFOLLOW_LINKS)) {
        byte[] buffer = new byte[256 * 1024];
        long left = attrs.size();
        for (int n;
            left > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) > 0; ) {
          tar.write(buffer, 0, n);
          meter.add(n);
          left -= n;
        }
        if (left > 0) {
          throw new IOException(path + ": it shrank while being copied");
        }
      }
    }
    tar.closeArchiveEntry();
  }
}
