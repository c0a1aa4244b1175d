package dev.lambdacntr.cntrfs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Walks of whole trees: listings the kernel keeps between opens must follow changes made through
 * the mount, and a tree with more entries than the server may hold descriptors must be walked
 * without an error reaching the walker.
 */
class DirectoryWalkIT {
  private static final int DIRECTORIES = 60;
  private static final int FILES_PER_DIRECTORY = 100;

  @Test
  void aListingReadBeforeFollowsChangesMadeThroughTheMount() throws Exception {
    try (TestMount mount = TestMount.start("listing", CntrfsOptions.defaults())) {
      Path dir = Files.createDirectory(mount.mountpoint.resolve("d"));
      Files.writeString(dir.resolve("a"), "a");
      Files.writeString(dir.resolve("b"), "b");
      assertThat(names(dir)).containsExactlyInAnyOrder("a", "b");
      assertThat(names(dir)).as("listed again, from the kernel's cache").contains("a", "b");

      Files.writeString(dir.resolve("c"), "c");
      Files.delete(dir.resolve("a"));
      Files.move(dir.resolve("b"), dir.resolve("e"));
      Files.createDirectory(dir.resolve("sub"));

      assertThat(names(dir)).containsExactlyInAnyOrder("c", "e", "sub");
      assertThat(names(mount.source.resolve("d"))).containsExactlyInAnyOrder("c", "e", "sub");
    }
  }

  /**
   * The server holds one descriptor per inode the kernel knows. A walk with READDIRPLUS makes the
   * kernel learn a whole directory at a time, faster than its FORGETs come back; the server must
   * slow the learning down and wait for room rather than pass EMFILE on to {@code find}.
   */
  @Test
  void aTreeWithMoreEntriesThanDescriptorsIsWalkedWithoutErrors() throws Exception {
    TestMount.requireRoot();
    Path base = Files.createTempDirectory("cntrfs-it-walk-");
    Path source = Files.createDirectory(base.resolve("source"));
    Path mountpoint = Files.createDirectory(base.resolve("mnt"));
    for (int d = 0; d < DIRECTORIES; d++) {
      Path dir = Files.createDirectory(source.resolve("d" + d));
      for (int f = 0; f < FILES_PER_DIRECTORY; f++) {
        Files.createFile(dir.resolve("f" + f));
      }
    }
    // 1500 descriptors for the server's JVM, a quarter of the tree's 6061 entries
    Process launcher =
        new ProcessBuilder(
                "prlimit",
                "--nofile=1500:1500",
                launcher().toString(),
                source.toString(),
                mountpoint.toString())
            .redirectErrorStream(true)
            .redirectOutput(base.resolve("server.log").toFile())
            .start();
    try {
      awaitMounted(launcher, mountpoint, base);
      int entries = 1 + DIRECTORIES * (1 + FILES_PER_DIRECTORY);
      for (List<String> walk :
          List.of(
              List.of("find", mountpoint.toString()),
              List.of("find", mountpoint.toString()),
              List.of("ls", "-lR", mountpoint.toString()))) {
        Process p =
            new ProcessBuilder(walk)
                .redirectOutput(base.resolve("walk.out").toFile())
                .redirectError(base.resolve("walk.err").toFile())
                .start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s ends", walk).isTrue();
        String errors = Files.readString(base.resolve("walk.err"));
        assertThat(errors).as("%s's errors", walk).isEmpty();
        assertThat(p.exitValue()).as("%s's exit status", walk).isZero();
        if (walk.getFirst().equals("find")) {
          assertThat(Files.readAllLines(base.resolve("walk.out"), StandardCharsets.UTF_8))
              .as("entries %s lists", walk)
              .hasSize(entries);
        }
      }
    } finally {
      new ProcessBuilder("kill", "-TERM", Long.toString(launcher.pid())).start().waitFor();
      if (!launcher.waitFor(20, TimeUnit.SECONDS)) {
        launcher.descendants().forEach(ProcessHandle::destroyForcibly);
        launcher.destroyForcibly();
        new ProcessBuilder("umount", "-l", mountpoint.toString()).start().waitFor();
      }
      TestMount.deleteTree(base);
    }
  }

  private static List<String> names(Path dir) throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.map(p -> p.getFileName().toString()).toList();
    }
  }

  private static Path launcher() {
    return Path.of(System.getenv().getOrDefault("LAMBDA_CNTR_ROOT", ".."))
        .resolve("cntrfs/bin/cntrfs");
  }

  private static void awaitMounted(Process launcher, Path mountpoint, Path base) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!Files.readString(Path.of("/proc/self/mountinfo")).contains(" " + mountpoint + " ")) {
      assertThat(launcher.isAlive())
          .as("launcher alive; log: %s", Files.readString(base.resolve("server.log")))
          .isTrue();
      assertThat(System.nanoTime()).as("mounted within 30 s").isLessThan(deadline);
      Thread.sleep(50);
    }
  }
}
