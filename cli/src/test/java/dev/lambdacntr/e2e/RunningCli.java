package dev.lambdacntr.e2e;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A {@code lambda-cntr} that keeps running while the test works with it (a debug session, a port
 * forward, an attached shell): its output is collected line by line as it comes, its stdin stays
 * open until {@link #closeStdin}, and {@link #close} ends it (SIGTERM, then SIGKILL) if it is still
 * running.
 */
final class RunningCli implements AutoCloseable {

  private final List<String> command;
  private final Process process;
  private final List<String> stdout = new ArrayList<>();
  private final List<String> stderr = new ArrayList<>();
  private final Thread outReader;
  private final Thread errReader;

  private RunningCli(List<String> command, Process process) {
    this.command = command;
    this.process = process;
    this.outReader =
        Thread.ofPlatform().daemon().start(() -> read(process.getInputStream(), stdout));
    this.errReader =
        Thread.ofPlatform().daemon().start(() -> read(process.getErrorStream(), stderr));
  }

  /** Starts {@code lambda-cntr ARGS} with the environment the suite gives the CLI. */
  static RunningCli start(LambdaCntr lambdaCntr, List<String> args) {
    List<String> command = lambdaCntr.command(args);
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(lambdaCntr.environment());
    try {
      return new RunningCli(command, builder.start());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
  }

  private void read(InputStream in, List<String> into) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        synchronized (this) {
          into.add(line);
          notifyAll();
        }
      }
    } catch (IOException e) {
      // the process is gone
    }
  }

  /** Waits for a line of stdout or stderr that matches; fails with everything seen otherwise. */
  synchronized String awaitLine(String what, Predicate<String> match, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    int seenOut = 0;
    int seenErr = 0;
    while (true) {
      for (; seenOut < stdout.size(); seenOut++) {
        if (match.test(stdout.get(seenOut))) {
          return stdout.get(seenOut);
        }
      }
      for (; seenErr < stderr.size(); seenErr++) {
        if (match.test(stderr.get(seenErr))) {
          return stderr.get(seenErr);
        }
      }
      long left = deadline - System.nanoTime();
      if (left <= 0 || (!process.isAlive() && !outReader.isAlive() && !errReader.isAlive())) {
        fail("no line " + what + " within " + timeout.toSeconds() + "s: " + this);
      }
      try {
        wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 200)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }

  /** Writes to its stdin. */
  void write(String text) {
    try {
      OutputStream in = process.getOutputStream();
      in.write(text.getBytes(StandardCharsets.UTF_8));
      in.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write to " + command, e);
    }
  }

  /** Ends its stdin (an attached shell then exits). */
  void closeStdin() {
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      // gone already
    }
  }

  /** Waits for it to end; returns its status, failing if it does not end in time. */
  int awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        fail("lambda-cntr did not end within " + timeout.toSeconds() + "s: " + this);
      }
      outReader.join(5000);
      errReader.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
    return process.exitValue();
  }

  /** SIGKILL, as a crash or {@code kill -9} would end it. */
  void kill() {
    process.destroyForcibly();
  }

  /** SIGTERM. */
  void terminate() {
    process.destroy();
  }

  long pid() {
    return process.pid();
  }

  synchronized String stdout() {
    return String.join("\n", stdout);
  }

  synchronized String stderr() {
    return String.join("\n", stderr);
  }

  @Override
  public synchronized String toString() {
    return String.join(" ", command)
        + (process.isAlive() ? "\n  (running)" : "\n  exit status: " + process.exitValue())
        + "\n  stdout: "
        + String.join("\n          ", stdout)
        + "\n  stderr: "
        + String.join("\n          ", stderr);
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          process.waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
  }
}
