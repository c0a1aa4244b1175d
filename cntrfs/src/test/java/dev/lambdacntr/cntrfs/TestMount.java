package dev.lambdacntr.cntrfs;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lambdacntr.sys.Libc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A real cntrfs mount for a test: a fresh source directory and mount point under a temporary
 * directory of its own, served in this JVM, unmounted and removed on {@link #close()}.
 */
final class TestMount implements AutoCloseable {
  final Path base;
  final Path source;
  final Path mountpoint;
  final CntrfsMount mount;

  private TestMount(Path base, Path source, Path mountpoint, CntrfsMount mount) {
    this.base = base;
    this.source = source;
    this.mountpoint = mountpoint;
    this.mount = mount;
  }

  /** Root is needed to mount; without it the test fails under CI=true and is skipped otherwise. */
  static void requireRoot() {
    boolean root = Libc.getuid() == 0 && Files.isReadable(Path.of("/dev/fuse"));
    if (!root && "true".equals(System.getenv("CI"))) {
      throw new AssertionError("cntrfs integration tests need root and /dev/fuse (CI=true)");
    }
    assumeTrue(root, "cntrfs integration tests need root and /dev/fuse");
  }

  static TestMount start(String name, CntrfsOptions options) {
    requireRoot();
    try {
      Path base = Files.createTempDirectory("cntrfs-it-" + name + "-");
      // Tests act as other users too: let them traverse.
      Posix.chmod(base, 0755);
      Path source = Files.createDirectory(base.resolve("source"));
      Path mountpoint = Files.createDirectory(base.resolve("mnt"));
      return new TestMount(
          base, source, mountpoint, CntrfsMount.mount(source, mountpoint, options, System.err));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      mount.close();
    } finally {
      deleteTree(base);
    }
  }

  static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths
          .sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException e) {
                  // leave it; the temporary directory is ours and unique
                }
              });
    } catch (IOException e) {
      // nothing more to clean
    }
  }
}
