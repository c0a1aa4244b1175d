package dev.lambdacntr.bench.fs;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Small files (1 KiB) in directories of 100: created, stat'ed or deleted, one phase per workload.
 * {@code benchmarks/lib/metadata-tree.c} does it with straight system calls and times itself, so
 * the figure is the file system's, the same natively and in a session.
 */
record MetadataTree(Phase phase, Path helper, int files) implements Workload {
  enum Phase {
    CREATE,
    STAT,
    DELETE
  }

  @Override
  public String name() {
    String n = String.format(Locale.ROOT, "%,d", files);
    return switch (phase) {
      case CREATE -> "create " + n + " small files";
      case STAT -> "stat " + n + " small files";
      case DELETE -> "delete " + n + " small files";
    };
  }

  @Override
  public String unit() {
    return "s";
  }

  @Override
  public boolean higherIsBetter() {
    return false;
  }

  @Override
  public double thesis() {
    return 28.6; // Compilebench, the thesis's metadata-heavy figure
  }

  @Override
  public double target() {
    return 3.0;
  }

  private String helper(String phase, Path dir) {
    return Shell.join(
        java.util.List.of(helper.toString(), phase, dir.toString(), Integer.toString(files)));
  }

  @Override
  public void prepare(Path dir) throws Exception {
    Shell.sh(dir, "rm -rf tree");
    if (phase != Phase.CREATE) {
      Shell.sh(dir, helper("create", dir));
    }
  }

  @Override
  public double run(Side side) throws Exception {
    String out = Shell.on(side, helper(phase.name().toLowerCase(Locale.ROOT), side.dir())).strip();
    return Double.parseDouble(out.substring(out.lastIndexOf('\n') + 1));
  }

  @Override
  public void cleanUp(Path dir) throws Exception {
    Shell.sh(dir, "rm -rf tree");
  }
}
