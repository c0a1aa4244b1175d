package dev.lambdacntr.agent.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs test-infrastructure commands (ctr, umoci, ip...) with a deadline, capturing their output.
 */
public final class Commands {
  private Commands() {}

  /**
   * A finished command.
   *
   * @param exit its exit status
   * @param stdout its standard output, as bytes
   * @param err its standard error
   */
  public record Result(int exit, byte[] stdout, String err) {
    /** Standard output as text. */
    public String out() {
      return new String(stdout, StandardCharsets.UTF_8);
    }
  }

  public static Result run(List<String> command) {
    return run(command, Map.of(), new byte[0], Duration.ofSeconds(60));
  }

  /** Runs and fails (with the output) unless the command exits 0. */
  public static String check(List<String> command) {
    Result result = run(command);
    if (result.exit() != 0) {
      throw new IllegalStateException(
          String.join(" ", command)
              + " exited "
              + result.exit()
              + ": "
              + result.err()
              + result.out());
    }
    return result.out();
  }

  public static String check(String... command) {
    return check(List.of(command));
  }

  public static Result run(
      List<String> command, Map<String, String> environment, byte[] input, Duration timeout) {
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(environment);
    try {
      Process process = builder.start();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      Thread outPump = pump(process.getInputStream(), out);
      Thread errPump = pump(process.getErrorStream(), err);
      try (var stdin = process.getOutputStream()) {
        stdin.write(input);
      } catch (IOException ignored) {
        // the command did not read its input
      }
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor();
        throw new IllegalStateException(
            String.join(" ", command) + " did not finish within " + timeout + "; output: " + out);
      }
      outPump.join();
      errPump.join();
      return new Result(
          process.exitValue(), out.toByteArray(), err.toString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + command, e);
    }
  }

  static Thread pump(InputStream in, ByteArrayOutputStream out) {
    return Thread.ofPlatform()
        .daemon()
        .start(
            () -> {
              byte[] buffer = new byte[8192];
              try (in) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                  synchronized (out) {
                    out.write(buffer, 0, n);
                  }
                }
              } catch (IOException ignored) {
                // the process ended
              }
            });
  }
}
