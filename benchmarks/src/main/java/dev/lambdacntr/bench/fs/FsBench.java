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
 * File-system overhead, same machine, same run: every workload runs {@code --runs} times on each
 * side, the order of the sides rotating from run to run, and the table shows medians and the
 * overhead ratio of each side to the first (cost over native cost: time ratio, or inverse
 * throughput ratio; 1.00 means native speed, lower is better).
 *
 * <p>Two modes. Without {@code --side}: native ext4 against a standalone cntrfs mount of another
 * directory ({@code benchmarks/fs/run}). With {@code --side NAME=PREFIX} (repeated): every side
 * works in the same directory; the first is the baseline (native: its prefix at most a wrapper such
 * as {@code benchmarks/lib/in-cgroup}), the others run through a session whose {@code /} is the
 * host's root ({@code benchmarks/run fs}).
 *
 * <pre>
 * ... FsBench [--runs N] [--only REGEX] [--quick] [--json FILE] [--work DIR] [--helper PATH]
 *             [--options CNTRFS_OPTIONS | --side NAME=PREFIX...]
 * </pre>
 */
public final class FsBench {
  private FsBench() {}

  /** Sizes: the full run and a quick one for development. */
  record Scale(
      int fioSeconds,
      String fioFile,
      String fioThreadFile,
      int files,
      String untarDirs,
      String gzipDir,
      int kvRecords,
      int dbenchSeconds) {
    static final Scale FULL =
        new Scale(
            2, "512m", "64m", 10_000, "fs include kernel net tools arch/x86", "fs", 100_000, 4);
    static final Scale QUICK = new Scale(1, "128m", "16m", 2_000, "fs", "fs/ext4", 20_000, 2);
  }

  record Result(Workload workload, List<String> sides, List<double[]> samples) {
    double median(int side) {
      return FsBench.median(samples.get(side));
    }

    /** Overhead of {@code side} against side 0: cost ratio, lower is better. */
    double ratio(int side) {
      return workload.higherIsBetter() ? median(0) / median(side) : median(side) / median(0);
    }
  }

  public static void main(String[] args) throws Exception {
    int runs = 5;
    String only = ".*";
    String options = "";
    boolean quick = false;
    Path json = null;
    Path helper = null;
    List<String> sideSpecs = new ArrayList<>();
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
        case "--quick" -> quick = true;
        case "--json" -> json = Path.of(args[++i]);
        case "--helper" -> helper = Path.of(args[++i]);
        case "--side" -> sideSpecs.add(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    Files.createDirectories(work);
    Scale scale = quick ? Scale.QUICK : Scale.FULL;
    if (helper == null) {
      helper = work.resolve("bin/metadata-tree");
      compileHelper(repo, helper);
    }
    Pattern filter = Pattern.compile(only);
    List<Workload> workloads = new ArrayList<>();
    for (Workload w : workloads(work, helper, scale)) {
      if (filter.matcher(w.name()).find()) {
        workloads.add(w);
      }
    }
    prepareInputs(work, workloads, scale);

    List<Side> sides = new ArrayList<>();
    Process server = null;
    Path mnt = work.resolve("mnt");
    if (sideSpecs.isEmpty()) {
      sides.add(Side.local("native", Files.createDirectories(work.resolve("native"))));
      Files.createDirectories(mnt);
      server = mount(repo, Files.createDirectories(work.resolve("source")), mnt, options);
      sides.add(Side.local("cntrfs", mnt));
    } else {
      Path shared = Files.createDirectories(work.resolve("sessions"));
      for (String spec : sideSpecs) {
        sides.add(Side.parse(spec, shared));
      }
    }
    List<Result> results = new ArrayList<>();
    try {
      for (Workload w : workloads) {
        results.add(measure(w, sides, runs));
        if (json != null) {
          Files.writeString(json, json(results, runs, scale, quick));
        }
      }
    } finally {
      if (server != null) {
        Shell.run(work, List.of("umount", mnt.toString()));
        server.waitFor(30, TimeUnit.SECONDS);
      }
    }
    System.out.println();
    System.out.println(table(results, runs, options));
  }

  private static void compileHelper(Path repo, Path helper) throws Exception {
    Files.createDirectories(helper.getParent());
    Shell.run(
        repo,
        List.of(
            "gcc",
            "-O2",
            "-o",
            helper.toString(),
            repo.resolve("benchmarks/lib/metadata-tree.c").toString()));
  }

  private static List<Workload> workloads(Path work, Path helper, Scale s) {
    int t = s.fioSeconds();
    String kv = String.format(Locale.ROOT, "%,d", s.kvRecords());
    return List.of(
        new Fio("sequential read, 4 KiB blocks", "read", "4k", 1, s.fioFile(), t, 0.93, 1.0),
        new Fio("sequential read, 1 MiB blocks", "read", "1m", 1, s.fioFile(), t, 0.93, 1.0),
        new Fio("sequential write, 4 KiB blocks", "write", "4k", 1, s.fioFile(), t, 2.49, 1.5),
        new Fio("sequential write, 1 MiB blocks", "write", "1m", 1, s.fioFile(), t, 2.49, 1.5),
        new Fio(
            "16 threads sequential read, 1 MiB", "read", "1m", 16, s.fioThreadFile(), t, 0.63, 1.0),
        new Fio(
            "16 threads sequential write, 1 MiB",
            "write",
            "1m",
            16,
            s.fioThreadFile(),
            t,
            1.43,
            1.5),
        new Fio(
            "16 threads random read, 4 KiB", "randread", "4k", 16, s.fioThreadFile(), t, 0.85, 1.0),
        new Fio(
            "16 threads random write, 4 KiB",
            "randwrite",
            "4k",
            16,
            s.fioThreadFile(),
            t,
            1.63,
            1.5),
        new MetadataTree(MetadataTree.Phase.CREATE, helper, s.files()),
        new MetadataTree(MetadataTree.Phase.STAT, helper, s.files()),
        new MetadataTree(MetadataTree.Phase.DELETE, helper, s.files()),
        Command.timed(
            "untar a Linux 6.1 source tarball (" + s.untarDirs().replace(" ", ", ") + ")",
            work,
            "rm -rf %DIR/untar && mkdir %DIR/untar",
            "tar --overwrite -xf %WORK/untar.tar -C %DIR/untar",
            "rm -rf %DIR/untar",
            9.9,
            3.0),
        Command.timed(
            "gzip -r a source tree (linux-6.1/" + s.gzipDir() + ")",
            work,
            "rm -rf %DIR/gz && cp -a %WORK/linux-tree/linux-source-6.1/" + s.gzipDir() + " %DIR/gz",
            "gzip -r %DIR/gz",
            "rm -rf %DIR/gz",
            1.23,
            3.0),
        // A walk of a tree the mount has not seen (its files are in the page cache natively), and
        // the same walk again: what a user's `find` or shell completion costs in a session.
        new Command(
            "find a source tree, first walk (linux-6.1/" + s.gzipDir() + ")",
            work,
            "rm -rf %DIR/walk && cp -a %WORK/linux-tree/linux-source-6.1/"
                + s.gzipDir()
                + " %DIR/walk && find %DIR/walk > /dev/null",
            "s=$(date +%s%N) && find %DIR/walk > /dev/null && echo $(($(date +%s%N) - s))",
            "rm -rf %DIR/walk",
            Double.NaN,
            3.0,
            FsBench::nanosToSeconds,
            "s",
            false),
        new Command(
            "find a source tree, second walk (linux-6.1/" + s.gzipDir() + ")",
            work,
            "rm -rf %DIR/walk && cp -a %WORK/linux-tree/linux-source-6.1/"
                + s.gzipDir()
                + " %DIR/walk",
            "find %DIR/walk > /dev/null && s=$(date +%s%N) && find %DIR/walk > /dev/null"
                + " && echo $(($(date +%s%N) - s))",
            "rm -rf %DIR/walk",
            Double.NaN,
            1.5,
            FsBench::nanosToSeconds,
            "s",
            false),
        Command.timed(
            "key-value store: RocksDB fillseq, fillrandom, readrandom (" + kv + " x 400 B)",
            work,
            "rm -rf %DIR/kv",
            "db_bench --db=%DIR/kv --benchmarks=fillseq,fillrandom,readrandom --num="
                + s.kvRecords()
                + " --value_size=400 --compression_type=none --threads=1 > /dev/null",
            "rm -rf %DIR/kv",
            1.2,
            3.0),
        new Command(
            "dbench, 4 clients, " + s.dbenchSeconds() + " s (file-server mix)",
            work,
            "rm -rf %DIR/dbench && mkdir %DIR/dbench",
            "dbench -D %DIR/dbench -t " + s.dbenchSeconds() + " 4",
            "rm -rf %DIR/dbench",
            Double.NaN,
            3.0,
            FsBench::dbenchThroughput,
            "MB/s",
            true));
  }

  /** The last line of {@code output}, nanoseconds, in seconds. */
  private static double nanosToSeconds(String output) {
    String out = output.strip();
    return Long.parseLong(out.substring(out.lastIndexOf('\n') + 1).strip()) / 1e9;
  }

  private static double dbenchThroughput(String output) {
    Matcher m = Pattern.compile("Throughput ([0-9.]+) MB/sec").matcher(output);
    if (!m.find()) {
      throw new IllegalStateException("no throughput in dbench output:\n" + output);
    }
    return Double.parseDouble(m.group(1));
  }

  /** An extracted Linux tree to copy from and a tarball of some of its directories, made once. */
  private static void prepareInputs(Path work, List<Workload> workloads, Scale scale)
      throws Exception {
    boolean needTar = workloads.stream().anyMatch(w -> w.name().startsWith("untar"));
    boolean needTree = needTar || workloads.stream().anyMatch(w -> w.name().startsWith("gzip"));
    Path tarball = Path.of("/usr/src/linux-source-6.1.tar.xz");
    if (needTree && !Files.exists(work.resolve("linux-tree/linux-source-6.1/fs"))) {
      if (!Files.exists(tarball)) {
        throw new IOException(tarball + " is missing: run scripts/install-deps (linux-source-6.1)");
      }
      Shell.sh(
          work, "rm -rf linux-tree && mkdir linux-tree && tar -xJf " + tarball + " -C linux-tree");
    }
    if (needTar) {
      Shell.sh(
          work,
          "tar -cf untar.tar.part -C linux-tree "
              + prefixed(scale.untarDirs())
              + " && mv untar.tar.part untar.tar");
    }
  }

  private static String prefixed(String dirs) {
    StringBuilder sb = new StringBuilder();
    for (String d : dirs.split(" ")) {
      sb.append(" linux-source-6.1/").append(d);
    }
    return sb.toString().strip();
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

  private static Result measure(Workload w, List<Side> sides, int runs) throws Exception {
    List<double[]> samples = new ArrayList<>();
    for (int s = 0; s < sides.size(); s++) {
      samples.add(new double[runs]);
    }
    System.err.printf(Locale.ROOT, "%s:", w.name());
    for (int r = 0; r < runs; r++) {
      // Rotate which side goes first, so drifting machine load hits all alike.
      System.err.print(" [");
      for (int k = 0; k < sides.size(); k++) {
        int s = (r + k) % sides.size();
        samples.get(s)[r] = once(w, sides.get(s));
      }
      for (int s = 0; s < sides.size(); s++) {
        System.err.printf(Locale.ROOT, "%s%.3g", s == 0 ? "" : " ", samples.get(s)[r]);
      }
      System.err.print("]");
    }
    System.err.println();
    for (Side side : sides) {
      w.remove(side.dir());
    }
    return new Result(w, sides.stream().map(Side::name).toList(), samples);
  }

  /** One measured run; a failure on a side is reported and counted as no figure (NaN). */
  private static double once(Workload w, Side side) throws Exception {
    w.prepare(side.dir());
    try {
      return w.run(side);
    } catch (IOException e) {
      String message = e.getMessage();
      String[] lines = message == null ? new String[] {"?"} : message.split("\n");
      System.err.printf(
          Locale.ROOT,
          "%n%s failed on %s: %s%n",
          w.name(),
          side.name(),
          lines.length > 1 ? lines[1] : lines[0]);
      return Double.NaN;
    } finally {
      w.cleanUp(side.dir());
    }
  }

  /** The median of the figures that are there (not NaN); NaN when none is. */
  static double median(double[] values) {
    double[] v = Arrays.stream(values).filter(x -> !Double.isNaN(x)).sorted().toArray();
    if (v.length == 0) {
      return Double.NaN;
    }
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  private static String number(double v) {
    return Double.isNaN(v) ? "null" : String.format(Locale.ROOT, "%.6g", v);
  }

  /** The results as JSON: per workload and side, every sample, the median, min, max and ratio. */
  static String json(List<Result> results, int runs, Scale scale, boolean quick) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(Locale.ROOT, "{\"runs\": %d, \"quick\": %b, \"workloads\": [", runs, quick));
    for (int i = 0; i < results.size(); i++) {
      Result r = results.get(i);
      Workload w = r.workload();
      sb.append(i == 0 ? "\n" : ",\n");
      sb.append(
          String.format(
              Locale.ROOT,
              "  {\"name\": \"%s\", \"unit\": \"%s\", \"higher_is_better\": %b, \"thesis\": %s,"
                  + " \"target\": %s, \"sides\": [",
              w.name(),
              w.unit(),
              w.higherIsBetter(),
              number(w.thesis()),
              number(w.target())));
      for (int s = 0; s < r.sides().size(); s++) {
        double[] v = r.samples().get(s);
        StringBuilder samples = new StringBuilder();
        for (double x : v) {
          samples.append(samples.isEmpty() ? "" : ", ").append(number(x));
        }
        sb.append(
            String.format(
                Locale.ROOT,
                "%s{\"side\": \"%s\", \"samples\": [%s], \"median\": %s, \"min\": %s, \"max\": %s,"
                    + " \"ratio\": %s}",
                s == 0 ? "" : ", ",
                r.sides().get(s),
                samples,
                number(r.median(s)),
                number(Arrays.stream(v).filter(x -> !Double.isNaN(x)).min().orElse(Double.NaN)),
                number(Arrays.stream(v).filter(x -> !Double.isNaN(x)).max().orElse(Double.NaN)),
                number(r.ratio(s))));
      }
      sb.append("]}");
    }
    sb.append("\n]}\n");
    return sb.toString();
  }

  static String table(List<Result> results, int runs, String options) {
    StringBuilder sb = new StringBuilder();
    List<String> sides = results.isEmpty() ? List.of() : results.get(0).sides();
    sb.append(
        String.format(
            Locale.ROOT,
            "medians of %d runs each%s; ratio = cost / %s cost (lower is better, 1.00 = native)%n%n",
            runs,
            options.isEmpty() ? "" : ", cntrfs options " + options,
            sides.isEmpty() ? "native" : sides.get(0)));
    sb.append("| workload |");
    for (String s : sides) {
      sb.append(' ').append(s).append(" |");
    }
    sb.append(" thesis |\n|---|");
    sb.append("---:|".repeat(sides.size())).append("---:|\n");
    for (Result r : results) {
      Workload w = r.workload();
      sb.append("| ").append(w.name()).append(" (").append(w.unit()).append(") |");
      for (int s = 0; s < sides.size(); s++) {
        sb.append(String.format(Locale.ROOT, " %.3g", r.median(s)));
        if (s > 0) {
          sb.append(String.format(Locale.ROOT, " (%.2fx)", r.ratio(s)));
        }
        sb.append(" |");
      }
      sb.append(
          Double.isNaN(w.thesis())
              ? " - |\n"
              : String.format(Locale.ROOT, " %.2fx |%n", w.thesis()));
    }
    return sb.toString();
  }
}
