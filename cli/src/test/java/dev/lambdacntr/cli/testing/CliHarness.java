package dev.lambdacntr.cli.testing;

import dev.lambdacntr.cli.Cli;
import dev.lambdacntr.cli.CliContext;
import dev.lambdacntr.cli.Environment;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Runs the CLI in-process with given environment, stdin and terminal flags; captures the rest. */
public final class CliHarness {

  /** What a run produced. */
  @SuppressWarnings("ArrayRecordComponent") // compared by the tests' own assertions, not equals
  public record Result(int exit, byte[] stdoutBytes, String stderr) {
    public String stdout() {
      return new String(stdoutBytes, StandardCharsets.UTF_8);
    }
  }

  private CliHarness() {}

  public static Result run(Map<String, String> env, String... args) {
    return run(env, new byte[0], false, false, args);
  }

  public static Result run(
      Map<String, String> env, byte[] stdin, boolean stdinTty, boolean stdoutTty, String... args) {
    return run(env, new ByteArrayInputStream(stdin), stdinTty, stdoutTty, args);
  }

  public static Result run(
      Map<String, String> env,
      InputStream stdin,
      boolean stdinTty,
      boolean stdoutTty,
      String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CliContext context =
        new CliContext(
            new Environment(env),
            stdin,
            out,
            new PrintStream(err, true, StandardCharsets.UTF_8),
            () -> stdinTty,
            () -> stdoutTty,
            System.nanoTime());
    int exit = Cli.run(args, context);
    return new Result(exit, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
  }
}
