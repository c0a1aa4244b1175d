package dev.lambdacntr.cntrfs;

import dev.lambdacntr.sys.Errno;
import dev.lambdacntr.sys.Libc;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The fusectl file system, through which a FUSE connection is aborted: every waiting and future
 * request then fails with ENOTCONN instead of blocking. When fusectl is not mounted, it is mounted
 * on a private temporary directory for the abort and unmounted again.
 */
final class FuseControl {
  private FuseControl() {}

  /** Aborts connection {@code number}; returns null or a message saying why it could not. */
  static String abort(long number) {
    Path mounted = Path.of("/sys/fs/fuse/connections");
    if (Files.isDirectory(mounted.resolve(Long.toString(number)))) {
      return writeAbort(mounted, number);
    }
    Path temp;
    try {
      temp = Files.createTempDirectory("cntrfs-fusectl-");
    } catch (IOException e) {
      return "cannot abort FUSE connection " + number + ": no temporary directory: " + e;
    }
    try (Arena arena = Arena.ofConfined()) {
      var target = arena.allocateFrom(temp.toString());
      int r =
          Libc.mount(
              arena.allocateFrom("fusectl"),
              target,
              arena.allocateFrom("fusectl"),
              0,
              java.lang.foreign.MemorySegment.NULL);
      if (r < 0) {
        return "cannot abort FUSE connection " + number + ": mount fusectl: " + Errno.name(-r);
      }
      try {
        return writeAbort(temp, number);
      } finally {
        Libc.umount2(target, 0);
      }
    } finally {
      try {
        Files.deleteIfExists(temp);
      } catch (IOException e) {
        // A leftover empty directory in the temp dir; nothing to do.
      }
    }
  }

  private static String writeAbort(Path root, long number) {
    Path abort = root.resolve(Long.toString(number)).resolve("abort");
    try {
      Files.write(abort, "1".getBytes(StandardCharsets.US_ASCII));
      return null;
    } catch (IOException e) {
      return "cannot abort FUSE connection " + number + ": write " + abort + ": " + e;
    }
  }
}
