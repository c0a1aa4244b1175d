package dev.lambdacntr.bench.fs;

import java.nio.file.Path;
import java.util.function.Function;

/**
 * A workload that is a shell command, timed by wall clock on its side; {@code setup} and {@code
 * teardown} are untimed shell commands run natively before and after each run. {@code %DIR} and
 * {@code %WORK} in them stand for the directory under test and the shared work directory.
 */
record Command(
    String name,
    Path work,
    String setup,
    String script,
    String teardown,
    double thesis,
    double target,
    Function<String, Double> figure,
    String unit,
    boolean higherIsBetter)
    implements Workload {

  /** A command whose figure is its wall-clock time in seconds. */
  static Command timed(
      String name,
      Path work,
      String setup,
      String script,
      String teardown,
      double thesis,
      double target) {
    return new Command(name, work, setup, script, teardown, thesis, target, null, "s", false);
  }

  private String expand(String s, Path dir) {
    return s.replace("%DIR", dir.toString()).replace("%WORK", work.toString());
  }

  @Override
  public void prepare(Path dir) throws Exception {
    if (!setup.isEmpty()) {
      Shell.sh(dir, expand(setup, dir));
    }
  }

  @Override
  public double run(Side side) throws Exception {
    if (figure == null) {
      return Shell.timed(side, expand(script, side.dir()));
    }
    return figure.apply(Shell.on(side, expand(script, side.dir())));
  }

  @Override
  public void cleanUp(Path dir) throws Exception {
    if (!teardown.isEmpty()) {
      Shell.sh(dir, expand(teardown, dir));
    }
  }
}
