package dev.lambdacntr.cntrfs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lambdacntr.sys.Fcntl;
import dev.lambdacntr.sys.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The way the agent uses cntrfs: /dev/fuse and the source root opened by a thread that never
 * switches namespaces, the mount made by another thread inside a private mount namespace, the
 * server driven from the clean thread; an unmount inside the namespace ends the server. Also the
 * inode table's pruning (forget) under a tiny limit, and {@link CntrfsServer#stop()}.
 */
class AgentStyleMountIT {

  /** Runs {@code body} on a fresh platform thread that has entered a private mount namespace. */
  private static <T> T inPrivateNamespace(Callable<T> body) throws Exception {
    CompletableFuture<T> result = new CompletableFuture<>();
    Thread t =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    check("unshare(CLONE_FS)", Libc.unshare(Fcntl.CLONE_FS));
                    check("unshare(CLONE_NEWNS)", Libc.unshare(Fcntl.CLONE_NEWNS));
                    try (Arena a = Arena.ofConfined()) {
                      long msRecPrivate = 0x4000 | (1 << 18);
                      check(
                          "make / private",
                          Libc.mount(
                              MemorySegment.NULL,
                              a.allocateFrom("/"),
                              MemorySegment.NULL,
                              msRecPrivate,
                              MemorySegment.NULL));
                    }
                    result.complete(body.call());
                  } catch (Throwable e) {
                    result.completeExceptionally(e);
                  }
                });
    t.join(TimeUnit.SECONDS.toMillis(60));
    return result.get(1, TimeUnit.SECONDS);
  }

  private static void check(String what, int r) {
    if (r < 0) {
      throw new AssertionError(what + ": " + dev.lambdacntr.sys.Errno.name(-r));
    }
  }

  private static int mount(FuseDevice device, Path target) {
    try (Arena a = Arena.ofConfined()) {
      return Libc.mount(
          a.allocateFrom(FuseDevice.SOURCE),
          a.allocateFrom(target.toString()),
          a.allocateFrom(FuseDevice.FS_TYPE),
          Fcntl.MS_NOSUID | Fcntl.MS_NODEV,
          a.allocateFrom(device.mountOptions()));
    }
  }

  private static int umount(Path target) {
    try (Arena a = Arena.ofConfined()) {
      return Libc.umount2(a.allocateFrom(target.toString()), 0);
    }
  }

  @Test
  void servesAMountMadeInAnotherNamespaceAndEndsWhenItIsUnmountedThere() throws Exception {
    TestMount.requireRoot();
    Path base = Files.createTempDirectory("cntrfs-it-agent-");
    try {
      Path tools = Files.createDirectories(base.resolve("tools/bin"));
      Files.writeString(tools.resolve("hello"), "#!/bin/sh\necho hello from the tools\n");
      Posix.chmod(tools.resolve("hello"), 0755);
      Path target = Files.createDirectory(base.resolve("target"));
      FuseDevice device = FuseDevice.open();
      SourceRoot root = SourceRoot.open(base.resolve("tools"));
      CntrfsServer[] server = new CntrfsServer[1];

      String seen =
          inPrivateNamespace(
              () -> {
                check("mount", mount(device, target));
                // Served from the clean test thread would also work; here the serving threads
                // are created by a switched thread, as a careless caller might do.
                server[0] = CntrfsServer.serve(device, root, CntrfsOptions.defaults());
                Process p =
                    new ProcessBuilder(target.resolve("bin/hello").toString())
                        .redirectErrorStream(true)
                        .start();
                String out =
                    new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
                Files.writeString(target.resolve("created-inside"), "x");
                check("umount inside the namespace", umount(target));
                return out;
              });

      assertThat(seen).isEqualTo("hello from the tools");
      try (var entries = Files.list(target)) {
        assertThat(entries.count()).as("the host namespace never saw the mount").isZero();
      }
      assertThat(Files.readString(base.resolve("tools/created-inside"))).isEqualTo("x");
      assertThat(server[0].awaitExit(Duration.ofSeconds(10))).isTrue();
      assertThat(server[0].exitReason()).isEqualTo("unmounted");
    } finally {
      TestMount.deleteTree(base);
    }
  }

  @Test
  void stopAbortsTheConnectionSoCallersFailInsteadOfWaiting() throws Exception {
    try (TestMount mount = TestMount.start("stop", CntrfsOptions.defaults())) {
      Files.writeString(mount.mountpoint.resolve("f"), "x");
      mount.mount.server().stop();
      assertThat(mount.mount.server().awaitExit(Duration.ofSeconds(10))).isTrue();
      assertThat(mount.mount.server().exitReason()).isEqualTo("stopped");
      Process stat = new ProcessBuilder("stat", mount.mountpoint.resolve("g").toString()).start();
      assertThat(stat.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(new String(stat.getErrorStream().readAllBytes(), StandardCharsets.UTF_8))
          .contains("not connected");
      new ProcessBuilder("umount", "-l", mount.mountpoint.toString()).start().waitFor();
    }
  }

  @Test
  void theKernelForgetsInodesBeyondTheLimitAndLooksThemUpAgain() throws Exception {
    try (TestMount mount =
        TestMount.start("prune", CntrfsOptions.defaults().with("max_inodes=1000"))) {
      Path dir = Files.createDirectory(mount.mountpoint.resolve("many"));
      for (int i = 0; i < 5000; i++) {
        Files.writeString(dir.resolve("f" + i), Integer.toString(i));
      }
      InodeTable inodes = mount.mount.server().session().operations().inodes();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (inodes.size() > 1000 && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertThat(inodes.size()).as("inodes held after pruning").isLessThanOrEqualTo(1000);
      for (int i = 0; i < 5000; i += 7) {
        assertThat(Files.readString(dir.resolve("f" + i))).isEqualTo(Integer.toString(i));
      }
    }
  }
}
