package dev.lambdacntr.bench.fs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * cntrfs against native ext4, same machine, same run: every workload runs {@code --runs} times on
 * each side, alternating, and the table shows medians and the overhead ratio (cntrfs cost over
 * native cost: time ratio, or inverse throughput ratio; 1.00 means native speed, lower is better).
 *
 * <pre>
 * benchmarks/fs/run [--runs N] [--only REGEX] [--options CNTRFS_OPTIONS] [--work DIR]
 * </pre>
 */
public final class FsBench {
  private FsBench() {}

  record Result(Workload workload, double nativeMedian, double cntrfsMedian) {
    double ratio() {
      return workload.higherIsBetter() ? nativeMedian / cntrfsMedian : cntrfsMedian / nativeMedian;
    }
  }

  public static void main(String[] args) throws Exception {
    int runs = 5;
    String only = ".*";
    String options = "";
    // The machine's cache directory (on the root file system, ext4 here): the decompressed
    // Linux tarball and its extracted tree are kept there between runs.
    Path work =
        Path.of(System.getenv().getOrDefault("LAMBDA_CNTR_CACHE", "/var/cache/lambda-cntr"))
            .resolve("cntrfs-bench");
    Path repo = Path.of(System.getProperty("lambda.cntr.root", ".")).toAbsolutePath().normalize();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        case "--only" -> only = args[++i];
        case "--options" -> options = args[++i];
        case "--work" -> work = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    Files.createDirectories(work);
    Path nativeDir = Files.createDirectories(work.resolve("native"));
    Path source = Files.createDirectories(work.resolve("source"));
    Path mnt = Files.createDirectories(work.resolve("mnt"));
    Pattern filter = Pattern.compile(only);
    List<Workload> workloads = new ArrayList<>();
    for (Workload w : workloads(work)) {
      if (filter.matcher(w.name()).find()) {
        workloads.add(w);
      }
    }
    prepareInputs(work, workloads);

    Process server = mount(repo, source, mnt, options);
    List<Result> results = new ArrayList<>();
    try {
      for (Workload w : workloads) {
        results.add(measure(w, nativeDir, mnt, runs));
      }
    } finally {
      Shell.run(work, List.of("umount", mnt.toString()));
      server.waitFor(30, TimeUnit.SECONDS);
    }
    System.out.println();
    System.out.println(table(results, runs, options));
  }

  private static List<Workload> workloads(Path work) {
    String linux = "%WORK/linux.tar";
    return List.of(
        new Fio("sequential read, 4 KiB blocks", "read", "4k", 1, "512m", 3, 0.93, 1.0),
        new Fio("sequential read, 1 MiB blocks", "read", "1m", 1, "512m", 3, 0.93, 1.0),
        new Fio("sequential write, 4 KiB blocks", "write", "4k", 1, "512m", 3, 2.49, 1.5),
        new Fio("sequential write, 1 MiB blocks", "write", "1m", 1, "512m", 3, 2.49, 1.5),
        new Fio("16 threads sequential read, 1 MiB", "read", "1m", 16, "64m", 3, 0.63, 1.0),
        new Fio("16 threads sequential write, 1 MiB", "write", "1m", 16, "64m", 3, 1.43, 1.5),
        new Fio("16 threads random read, 4 KiB", "randread", "4k", 16, "64m", 3, 0.85, 1.0),
        new Fio("16 threads random write, 4 KiB", "randwrite", "4k", 16, "64m", 3, 1.63, 1.5),
        new MetadataTree(MetadataTree.Phase.CREATE),
        new MetadataTree(MetadataTree.Phase.STAT),
        new MetadataTree(MetadataTree.Phase.DELETE),
        Command.timed(
            "untar linux-6.1 source (1.3 GB, 78k entries)",
            work,
            "rm -rf %DIR/untar && mkdir %DIR/untar",
            "tar -xf " + linux + " -C %DIR/untar",
            "rm -rf %DIR/untar",
            9.9,
            3.0),
        Command.timed(
            "gzip -r a source tree (linux-6.1/fs, 2.4k files)",
            work,
            "rm -rf %DIR/gz && cp -a %WORK/linux-tree/linux-source-6.1/fs %DIR/gz",
            "gzip -r %DIR/gz",
            "rm -rf %DIR/gz",
            1.23,
            3.0),
        Command.timed(
            "key-value store: RocksDB db_bench fillseq, fillrandom, readrandom (200k x 400 B)",
            work,
            "rm -rf %DIR/kv",
            "db_bench --db=%DIR/kv --benchmarks=fillseq,fillrandom,readrandom --num=200000"
                + " --value_size=400 --compression_type=none --threads=1 > /dev/null",
            "rm -rf %DIR/kv",
            1.2,
            3.0),
        new Command(
            "dbench, 4 clients, 10 s (file-server mix)",
            work,
            "rm -rf %DIR/dbench && mkdir %DIR/dbench",
            "dbench -D %DIR/dbench -t 10 4",
            "rm -rf %DIR/dbench",
            Double.NaN,
            3.0,
            FsBench::dbenchThroughput,
            "MB/s",
            true));
  }

  private static double dbenchThroughput(String output) {
    Matcher m = Pattern.compile("Throughput ([0-9.]+) MB/sec").matcher(output);
    if (!m.find()) {
      throw new IllegalStateException("no throughput in dbench output:\n" + output);
    }
    return Double.parseDouble(m.group(1));
  }

  /** The uncompressed kernel tarball and one extracted tree to copy from, made once. */
  private static void prepareInputs(Path work, List<Workload> workloads) throws Exception {
    boolean needTar = workloads.stream().anyMatch(w -> w.name().startsWith("untar"));
    boolean needTree = workloads.stream().anyMatch(w -> w.name().startsWith("gzip"));
    Path tarball = Path.of("/usr/src/linux-source-6.1.tar.xz");
    if ((needTar || needTree) && !Files.exists(tarball)) {
      throw new IOException(tarball + " is missing: run scripts/install-deps (linux-source-6.1)");
    }
    if (needTar && !Files.exists(work.resolve("linux.tar"))) {
      Shell.sh(work, "xz -dc " + tarball + " > linux.tar.part && mv linux.tar.part linux.tar");
    }
    if (needTree && !Files.exists(work.resolve("linux-tree/linux-source-6.1/fs"))) {
      Shell.sh(
          work, "rm -rf linux-tree && mkdir linux-tree && tar -xJf " + tarball + " -C linux-tree");
    }
  }

  private static Process mount(Path repo, Path source, Path mnt, String options) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(repo.resolve("cntrfs/bin/cntrfs").toString()));
    cmd.add(source.toString());
    cmd.add(mnt.toString());
    if (!options.isEmpty()) {
      cmd.add("-o");
      cmd.add(options);
    }
    Process server = new ProcessBuilder(cmd).inheritIO().start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!Files.readString(Path.of("/proc/self/mountinfo")).contains(" " + mnt + " ")) {
      if (!server.isAlive() || System.nanoTime() > deadline) {
        throw new IOException("cntrfs did not mount " + mnt);
      }
      Thread.sleep(50);
    }
    return server;
  }

  private static Result measure(Workload w, Path nativeDir, Path mnt, int runs) throws Exception {
    double[] nat = new double[runs];
    double[] cfs = new double[runs];
    System.err.printf(Locale.ROOT, "%s:", w.name());
    for (int r = 0; r < runs; r++) {
      // Alternate which side goes first, so drifting machine load hits both alike.
      boolean nativeFirst = r % 2 == 0;
      double first = once(w, nativeFirst ? nativeDir : mnt);
      double second = once(w, nativeFirst ? mnt : nativeDir);
      nat[r] = nativeFirst ? first : second;
      cfs[r] = nativeFirst ? second : first;
      System.err.printf(Locale.ROOT, " [%.3g %.3g]", nat[r], cfs[r]);
    }
    System.err.println();
    if (w instanceof Fio fio) {
      fio.remove(nativeDir);
      fio.remove(mnt);
    }
    return new Result(w, median(nat), median(cfs));
  }

  private static double once(Workload w, Path dir) throws Exception {
    w.prepare(dir);
    try {
      return w.run(dir);
    } finally {
      w.cleanUp(dir);
    }
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  static String table(List<Result> results, int runs, String options) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "cntrfs vs native ext4, medians of %d runs each%s; ratio = cntrfs cost / native cost"
                + " (lower is better, 1.00 = native)%n%n",
            runs,
            options.isEmpty() ? "" : ", cntrfs options " + options));
    sb.append("| workload | native | cntrfs | ratio | thesis | target | |\n");
    sb.append("|---|---:|---:|---:|---:|---:|---|\n");
    for (Result r : results) {
      Workload w = r.workload();
      double ratio = r.ratio();
      String verdict =
          ratio <= w.target()
              ? "meets target"
              : !Double.isNaN(w.thesis()) && ratio < w.thesis() ? "beats thesis" : "misses";
      sb.append(
          String.format(
              Locale.ROOT,
              "| %s | %.3g %s | %.3g %s | %.2fx | %s | %.1fx | %s |%n",
              w.name(),
              r.nativeMedian(),
              w.unit(),
              r.cntrfsMedian(),
              w.unit(),
              ratio,
              Double.isNaN(w.thesis()) ? "-" : String.format(Locale.ROOT, "%.2fx", w.thesis()),
              w.target(),
              verdict));
    }
    return sb.toString();
  }
}
