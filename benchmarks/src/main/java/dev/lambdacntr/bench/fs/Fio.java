package dev.lambdacntr.bench.fs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A fio job: bandwidth in MiB/s over a time-based run on files laid out beforehand. */
record Fio(
    String name,
    String rw,
    String blockSize,
    int jobs,
    String sizePerJob,
    int seconds,
    double thesis,
    double target)
    implements Workload {

  private static final Pattern BW = Pattern.compile("\"bw_bytes\"\\s*:\\s*(\\d+)");

  @Override
  public String unit() {
    return "MiB/s";
  }

  @Override
  public boolean higherIsBetter() {
    return true;
  }

  private List<String> command(Path dir, String rwMode, boolean timeBased) {
    List<String> cmd = new ArrayList<>();
    cmd.addAll(
        List.of(
            "fio",
            "--name=" + name.replaceAll("[^A-Za-z0-9]+", "-"),
            "--directory=" + dir,
            "--filename_format=fio." + jobs + "." + sizePerJob + ".$jobnum",
            "--rw=" + rwMode,
            "--bs=" + blockSize,
            "--size=" + sizePerJob,
            "--numjobs=" + jobs,
            "--ioengine=psync",
            // Keep the page cache: fio's default invalidation would empty the native file's cache
            // but not the source file's behind a passthrough mount, and compare disk to memory.
            "--invalidate=0",
            "--group_reporting",
            "--output-format=json"));
    if (timeBased) {
      cmd.addAll(List.of("--time_based", "--runtime=" + seconds));
    }
    return cmd;
  }

  @Override
  public void prepare(Path dir) throws Exception {
    // Lay the files out and read them once; the page cache stays warm for the later runs. Jobs of
    // the same shape share their files.
    if (!Files.exists(dir.resolve("fio." + jobs + "." + sizePerJob + "." + (jobs - 1)))) {
      Shell.run(dir, command(dir, "write", false));
      Shell.run(dir, command(dir, "read", false));
    }
  }

  @Override
  public double run(Side side) throws Exception {
    String json = Shell.on(side, Shell.join(command(side.dir(), rw, true)));
    long bytesPerSecond = 0;
    Matcher m = BW.matcher(json);
    while (m.find()) {
      bytesPerSecond += Long.parseLong(m.group(1));
    }
    return bytesPerSecond / (1024.0 * 1024.0);
  }

  @Override
  public void remove(Path dir) throws Exception {
    Shell.sh(dir, "rm -f fio.*");
  }
}
