package dev.lambdacntr.cntrfs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Many threads create, write, read, rename and delete files on one mount for a bounded time; then
 * every file that should exist is checked, through the mount and in the source directory.
 */
class StressIT {
  private static final int THREADS = 12;
  private static final Duration TIME =
      Duration.ofSeconds(Long.getLong("cntrfs.stress.seconds", 20));

  private static byte[] bytes(SplittableRandom random, int max) {
    byte[] b = new byte[random.nextInt(max)];
    random.nextBytes(b);
    return b;
  }

  @Test
  void concurrentMutationsLeaveExactlyTheExpectedFiles() throws Exception {
    // Few inodes before pruning, so forgetting and looking up again happen under load too.
    CntrfsOptions options = CntrfsOptions.defaults().with("max_inodes=1500");
    try (TestMount mount = TestMount.start("stress", options)) {
      Path shared = Files.createDirectory(mount.mountpoint.resolve("shared"));
      Map<Path, byte[]> expected = new ConcurrentHashMap<>();
      AtomicLong operations = new AtomicLong();
      long deadline = System.nanoTime() + TIME.toNanos();
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      try {
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          int id = t;
          futures.add(
              pool.submit(
                  () -> {
                    work(id, mount.mountpoint, shared, expected, operations, deadline);
                    return null;
                  }));
        }
        for (Future<?> f : futures) {
          f.get(TIME.toSeconds() + 120, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(operations.get()).isGreaterThan(1000);
      assertThat(expected).isNotEmpty();
      for (Map.Entry<Path, byte[]> e : expected.entrySet()) {
        byte[] want = e.getValue();
        assertThat(Files.readAllBytes(e.getKey()))
            .as("%s via the mount", e.getKey())
            .isEqualTo(want);
        Path inSource = mount.source.resolve(mount.mountpoint.relativize(e.getKey()));
        assertThat(Files.readAllBytes(inSource)).as("%s in the source", inSource).isEqualTo(want);
      }
      try (Stream<Path> all = Files.walk(mount.mountpoint)) {
        assertThat(all.filter(Files::isRegularFile).toList())
            .containsExactlyInAnyOrderElementsOf(expected.keySet());
      }
    }
  }

  private static void work(
      int id,
      Path root,
      Path shared,
      Map<Path, byte[]> expected,
      AtomicLong operations,
      long deadline)
      throws IOException {
    SplittableRandom random = new SplittableRandom(id * 7919L);
    Path own = Files.createDirectory(root.resolve("t" + id));
    List<Path> mine = new ArrayList<>();
    long n = 0;
    while (System.nanoTime() < deadline) {
      n++;
      int op = random.nextInt(10);
      if (mine.isEmpty() || op < 3) {
        Path dir = random.nextBoolean() ? own : shared;
        Path f = dir.resolve("f-" + id + "-" + n);
        byte[] c = bytes(random, 64 * 1024);
        Files.write(f, c);
        expected.put(f, c);
        mine.add(f);
      } else if (op < 6) {
        Path f = mine.get(random.nextInt(mine.size()));
        assertThat(Files.readAllBytes(f)).as("%s", f).isEqualTo(expected.get(f));
      } else if (op < 8) {
        Path from = mine.remove(random.nextInt(mine.size()));
        Path dir = random.nextBoolean() ? own : shared;
        Path to = dir.resolve("r-" + id + "-" + n);
        if (!mine.isEmpty() && random.nextInt(4) == 0) {
          to = mine.remove(random.nextInt(mine.size()));
          expected.remove(to);
        }
        byte[] c = expected.remove(from);
        Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        expected.put(to, c);
        mine.add(to);
      } else if (op < 9) {
        Path f = mine.remove(random.nextInt(mine.size()));
        expected.remove(f);
        Files.delete(f);
        try {
          Files.readAllBytes(f);
          throw new AssertionError(f + " still readable after delete");
        } catch (NoSuchFileException expectedFailure) {
          // deleted as it should be
        }
      } else {
        Path f = mine.get(random.nextInt(mine.size()));
        byte[] old = expected.get(f);
        byte[] tail = bytes(random, 8192);
        Files.write(f, tail, StandardOpenOption.APPEND);
        byte[] whole = Arrays.copyOf(old, old.length + tail.length);
        System.arraycopy(tail, 0, whole, old.length, tail.length);
        expected.put(f, whole);
      }
      operations.incrementAndGet();
    }
  }
}
