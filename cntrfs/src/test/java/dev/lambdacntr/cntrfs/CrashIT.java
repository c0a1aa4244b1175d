package dev.lambdacntr.cntrfs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Kills the standalone server in the middle of I/O: every process using the mount must get an error
 * and end (none stuck in D state), and the mount must be gone (or at least aborted).
 */
class CrashIT {
  private Path base;
  private Path source;
  private Path mountpoint;
  private final List<Process> started = new ArrayList<>();

  @BeforeEach
  void dirs() throws IOException {
    TestMount.requireRoot();
    base = Files.createTempDirectory("cntrfs-it-crash-");
    source = Files.createDirectory(base.resolve("source"));
    mountpoint = Files.createDirectory(base.resolve("mnt"));
    try (var out = Files.newOutputStream(source.resolve("big"))) {
      byte[] block = new byte[1 << 20];
      for (int i = 0; i < 64; i++) {
        out.write(block);
      }
    }
    for (int i = 0; i < 200; i++) {
      Files.createDirectories(source.resolve("tree/d" + (i % 10)));
      Files.writeString(source.resolve("tree/d" + (i % 10) + "/f" + i), "x");
    }
  }

  @AfterEach
  void cleanUp() throws Exception {
    for (Process p : started) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
    if (base != null) {
      if (mounted()) {
        new ProcessBuilder("umount", "-l", mountpoint.toString()).start().waitFor();
      }
      TestMount.deleteTree(base);
    }
  }

  @Test
  void killingTheServerAbortsTheMountAndTheLauncherRemovesIt() throws Exception {
    Process launcher = launch();
    ProcessHandle server = serverOf(launcher);
    List<Process> io = startIo();
    Thread.sleep(1500);
    for (Process p : io) {
      assertThat(p.isAlive())
          .as("I/O loop %s runs before the kill", p.info().commandLine())
          .isTrue();
    }

    server.destroyForcibly();

    assertIoEndsWithoutHanging(io);
    assertThat(launcher.waitFor(20, TimeUnit.SECONDS)).as("launcher exits").isTrue();
    assertThat(launcher.exitValue()).isNotZero();
    assertThat(mounted()).as("dead mount removed by the launcher").isFalse();
  }

  @Test
  void killingServerAndLauncherLeavesAnAbortedMountThatFailsFast() throws Exception {
    Process launcher = launch();
    ProcessHandle server = serverOf(launcher);
    List<Process> io = startIo();
    Thread.sleep(1500);

    launcher.destroyForcibly();
    server.destroyForcibly();

    assertIoEndsWithoutHanging(io);
    // --cached=never, as in the loops: attributes still cached would be served without the server
    Process stat =
        new ProcessBuilder("stat", "--cached=never", mountpoint.resolve("big").toString()).start();
    started.add(stat);
    assertThat(stat.waitFor(10, TimeUnit.SECONDS)).as("stat on the aborted mount returns").isTrue();
    String err =
        new String(stat.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(stat.exitValue()).isNotZero();
    assertThat(err).contains("not connected");
  }

  @Test
  void sigtermUnmountsCleanly() throws Exception {
    Process launcher = launch();
    Files.writeString(mountpoint.resolve("written"), "through the mount");
    new ProcessBuilder("kill", "-TERM", Long.toString(launcher.pid())).start().waitFor();
    assertThat(launcher.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(mounted()).isFalse();
    assertThat(Files.readString(source.resolve("written"))).isEqualTo("through the mount");
  }

  private Process launch() throws Exception {
    Path script =
        Path.of(System.getenv().getOrDefault("LAMBDA_CNTR_ROOT", ".."))
            .resolve("cntrfs/bin/cntrfs");
    Process launcher =
        new ProcessBuilder(script.toString(), source.toString(), mountpoint.toString())
            .redirectErrorStream(true)
            .redirectOutput(base.resolve("server.log").toFile())
            .start();
    started.add(launcher);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!mounted()) {
      assertThat(launcher.isAlive()).as("launcher alive; log: %s", log()).isTrue();
      assertThat(System.nanoTime()).as("mounted within 30 s").isLessThan(deadline);
      Thread.sleep(50);
    }
    return launcher;
  }

  private String log() throws IOException {
    Path log = base.resolve("server.log");
    return Files.exists(log) ? Files.readString(log) : "";
  }

  private static ProcessHandle serverOf(Process launcher) {
    return launcher
        .toHandle()
        .children()
        .filter(c -> c.info().command().orElse("").endsWith("java"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no server JVM under the launcher"));
  }

  /** Loops that stop at their first error: reads, creates, listings, stats (never cached). */
  private List<Process> startIo() throws IOException {
    String m = mountpoint.toString();
    List<String> loops =
        List.of(
            "while cat " + m + "/big > /dev/null; do :; done",
            "i=0; while echo $i > " + m + "/f$i; do i=$((i+1)); done",
            // a new directory each time: the kernel keeps listings it read (and serves them,
            // rightly, even from a dead server), but a changed directory is read again
            "i=0; while mkdir "
                + m
                + "/tree/l$i && ls -lR "
                + m
                + "/tree > /dev/null; do"
                + " i=$((i+1)); done",
            // --cached=never: attributes the kernel still caches (60 s by default) would be
            // served without the server, and rightly so; the loop is to ask the dead server
            "while stat --cached=never " + m + "/big > /dev/null; do :; done",
            "while dd if=/dev/zero of=" + m + "/w bs=64k count=64 2>/dev/null; do :; done");
    List<Process> io = new ArrayList<>();
    for (int i = 0; i < loops.size(); i++) {
      // To a file, not a pipe nobody reads: a loop that fails on many entries would fill the pipe
      // and wait on it, not on the mount.
      Process p =
          new ProcessBuilder("sh", "-c", loops.get(i))
              .redirectErrorStream(true)
              .redirectOutput(base.resolve("io-" + i + ".log").toFile())
              .start();
      started.add(p);
      io.add(p);
    }
    return io;
  }

  /** Every I/O loop ends within 20 s; while waiting, none may sit in D state for long. */
  private static void assertIoEndsWithoutHanging(List<Process> io) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    for (Process p : io) {
      while (p.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(p.isAlive())
          .as("I/O loop %s still running (state %s); %s", p.pid(), state(p.pid()), where(p))
          .isFalse();
    }
  }

  /** Where a hanging loop and its children wait in the kernel, and what holds /dev/fuse. */
  private static String where(Process loop) {
    StringBuilder out = new StringBuilder();
    List<ProcessHandle> all = new ArrayList<>();
    all.add(loop.toHandle());
    loop.descendants().forEach(all::add);
    for (ProcessHandle h : all) {
      out.append("\n  ")
          .append(h.pid())
          .append(' ')
          .append(h.info().commandLine().orElse("?"))
          .append(" state ")
          .append(state(h.pid()))
          .append(" wchan ")
          .append(read("/proc/" + h.pid() + "/wchan"))
          .append(" stack:\n    ")
          .append(read("/proc/" + h.pid() + "/stack").strip().replace("\n", "\n    "));
    }
    out.append("\n  holders of /dev/fuse:");
    try (var procs = Files.list(Path.of("/proc"))) {
      for (Path proc : procs.filter(p -> p.getFileName().toString().matches("[0-9]+")).toList()) {
        try (var fds = Files.list(proc.resolve("fd"))) {
          if (fds.anyMatch(fd -> readLink(fd).equals("/dev/fuse"))) {
            out.append(' ')
                .append(proc.getFileName())
                .append(" (state ")
                .append(state(Long.parseLong(proc.getFileName().toString())))
                .append(')');
          }
        } catch (IOException | RuntimeException gone) {
          // ended meanwhile
        }
      }
    } catch (IOException e) {
      out.append(" cannot list /proc: ").append(e);
    }
    return out.toString();
  }

  private static String read(String path) {
    try {
      return Files.readString(Path.of(path));
    } catch (IOException e) {
      return "(" + e.getMessage() + ")";
    }
  }

  private static String readLink(Path link) {
    try {
      return Files.readSymbolicLink(link).toString();
    } catch (IOException e) {
      return "";
    }
  }

  private static String state(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      return stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    } catch (IOException e) {
      return "gone";
    }
  }

  private boolean mounted() throws IOException {
    String mp = base.toRealPath().resolve("mnt").toString();
    for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
      String[] fields = line.split(" ");
      if (fields.length > 4 && fields[4].equals(mp) && line.contains(" - fuse.cntrfs ")) {
        return true;
      }
    }
    return false;
  }
}
