package dev.lambdacntr.agent.postmortem;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;

/**
 * The files a post-mortem session finds in {@code /var/lib/cntr/.lambda-cntr/}: how the run ended
 * ({@code exit-code}, {@code reason}, {@code message}, {@code finished-at}, {@code container-id},
 * {@code restart-count}) and its log ({@code previous.log}: what {@code kubectl logs --previous}
 * shows, the text without the kubelet's time stamps and stream names).
 */
final class PostMortemFiles {
  /** The directory's name in the target's root. */
  static final String DIRECTORY = ".lambda-cntr";

  /** At most this much of the end of a log is kept (the kubelet rotates at 10 MiB by default). */
  static final long LOG_TAIL = 16L << 20;

  private PostMortemFiles() {}

  /** Writes the files into {@code info}/{@value #DIRECTORY}; {@code log} is the node's log file. */
  static void write(Path info, ExitedContainer container, Path log) throws IOException {
    Path dir = info.resolve(DIRECTORY);
    Files.createDirectory(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    text(dir, "exit-code", Integer.toString(container.exitCode()));
    text(dir, "reason", container.reason());
    text(dir, "message", container.message());
    text(dir, "finished-at", Instant.ofEpochSecond(0, container.finishedAtNanos()).toString());
    text(dir, "container-id", container.id());
    text(dir, "restart-count", Long.toString(container.attempt()));
    Path previous = dir.resolve("previous.log");
    Files.write(previous, Files.isRegularFile(log) ? plainLog(log) : new byte[0]);
    Files.setPosixFilePermissions(previous, PosixFilePermissions.fromString("rw-r--r--"));
  }

  static void text(Path dir, String name, String value) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, value.isEmpty() ? "" : value + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
  }

  /** The log's end, each CRI log line ({@code TIME STREAM P|F TEXT}) turned into its text. */
  static byte[] plainLog(Path log) throws IOException {
    byte[] bytes;
    boolean cut;
    try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
      long length = file.length();
      cut = length > LOG_TAIL;
      file.seek(cut ? length - LOG_TAIL : 0);
      bytes = new byte[(int) Math.min(length, LOG_TAIL)];
      file.readFully(bytes);
    }
    return plain(bytes, cut);
  }

  /** {@code bytes} of a CRI log; {@code cut} when they start inside a line, which is dropped. */
  static byte[] plain(byte[] bytes, boolean cut) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length);
    int start = 0;
    if (cut) {
      while (start < bytes.length && bytes[start] != '\n') {
        start++;
      }
      start++;
    }
    while (start < bytes.length) {
      int end = start;
      while (end < bytes.length && bytes[end] != '\n') {
        end++;
      }
      line(bytes, start, end, out);
      start = end + 1;
    }
    return out.toByteArray();
  }

  /** One line: after the third space its text; a partial (P) line is continued by the next. */
  private static void line(byte[] bytes, int start, int end, ByteArrayOutputStream out) {
    int field = start;
    int spaces = 0;
    int tag = -1;
    while (field < end && spaces < 3) {
      if (bytes[field] == ' ') {
        spaces++;
        if (spaces == 2) {
          tag = field + 1;
        }
      }
      field++;
    }
    if (spaces < 3) {
      // not a CRI log line: kept as it is
      out.write(bytes, start, end - start);
      out.write('\n');
      return;
    }
    out.write(bytes, field, end - field);
    if (!(tag >= 0 && bytes[tag] == 'P' && tag + 1 < end && bytes[tag + 1] == ' ')) {
      out.write('\n');
    }
  }
}
