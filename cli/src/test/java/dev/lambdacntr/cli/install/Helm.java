package dev.lambdacntr.cli.install;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The Helm the chart's tests run: scripts/build-helm's pinned version in the cache (what
 * scripts/install-deps builds). Without it a test is skipped, or fails with {@code CI=true}.
 *
 * @param binary the helm executable
 */
public record Helm(Path binary) {

  /** charts/lambda-cntr, from the cli module (the tests' working directory). */
  public static final Path CHART = Path.of("..", "charts", "lambda-cntr");

  /** What a run did. */
  public record Result(List<String> command, int exit, String stdout, String stderr) {
    @Override
    public String toString() {
      return String.join(" ", command)
          + "\n  exit status: "
          + exit
          + "\n  stdout: "
          + stdout.strip()
          + "\n  stderr: "
          + stderr.strip();
    }
  }

  /** scripts/build-helm's binary; skips (or fails, with {@code CI=true}) when it is not built. */
  public static Helm find() {
    Result where = exec(List.of("../scripts/build-helm", "--print-path"), Duration.ofSeconds(30));
    if (where.exit() != 0) {
      fail(where.toString());
    }
    Path binary = Path.of(where.stdout().strip());
    if (!Files.isExecutable(binary)) {
      String why = "no helm at " + binary + ": build it with scripts/build-helm (or install-deps)";
      if ("true".equals(System.getenv("CI"))) {
        fail("CI=true, so the chart's tests may not be skipped: " + why);
      }
      Assumptions.abort(why);
    }
    return new Helm(binary);
  }

  /** {@code helm ARGS...}, whatever its exit status, within {@code limit}. */
  public Result run(Duration limit, List<String> args) {
    List<String> command = new ArrayList<>(List.of(binary.toString()));
    command.addAll(args);
    return exec(command, limit);
  }

  /** {@code helm ARGS...}'s stdout; fails the test unless it exits with 0 within 2 minutes. */
  public String ok(String... args) {
    Result r = run(Duration.ofMinutes(2), List.of(args));
    if (r.exit() != 0) {
      fail(r.toString());
    }
    return r.stdout();
  }

  private static Result exec(List<String> command, Duration limit) {
    try {
      Path out = Files.createTempFile("helm", ".out");
      Path err = Files.createTempFile("helm", ".err");
      try {
        Process p =
            new ProcessBuilder(command)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .start();
        if (!p.waitFor(limit.toSeconds(), TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor();
          fail(String.join(" ", command) + " did not end within " + limit.toSeconds() + "s");
        }
        return new Result(
            command,
            p.exitValue(),
            Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
      } finally {
        Files.delete(out);
        Files.delete(err);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while running " + command, e);
    }
  }
}
