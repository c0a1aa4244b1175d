package dev.lambdacntr.agent.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Runs the agent distribution the build made, the way the CLI's pods/exec or a user would. */
public final class Agent {
  private Agent() {}

  /** {@code attach-agent/target/agent-dist}. */
  public static Path home() {
    String root = System.getenv("LAMBDA_CNTR_ROOT");
    Path base = root != null ? Path.of(root) : Path.of("").toAbsolutePath().getParent();
    Path home = base.resolve("attach-agent/target/agent-dist");
    if (!Files.isExecutable(home.resolve("bin/lambda-cntr-agent"))) {
      throw new IllegalStateException(
          home + " has no agent distribution: run ./mvnw package first");
    }
    return home;
  }

  public static Path launcher() {
    return home().resolve("bin/lambda-cntr-agent");
  }

  /** {@code lambda-cntr-agent attach ARGS} with pipes, stdin as given. */
  public static Commands.Result attach(List<String> args, String stdin) {
    return attach(args, stdin, Map.of());
  }

  public static Commands.Result attach(List<String> args, String stdin, Map<String, String> env) {
    List<String> command = new ArrayList<>();
    command.add(launcher().toString());
    command.add("attach");
    command.addAll(args);
    return Commands.run(
        command, env, stdin.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(60));
  }

  /** Starts {@code lambda-cntr-agent attach ARGS} on a terminal of its own (util-linux script). */
  public static Interactive interactive(List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(launcher().toString());
    command.add("attach");
    command.addAll(args);
    String line = command.stream().map(Agent::quote).collect(Collectors.joining(" "));
    try {
      Process process =
          new ProcessBuilder(
                  "script", "--quiet", "--flush", "--return", "--command", line, "/dev/null")
              .redirectErrorStream(true)
              .start();
      return new Interactive(process);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String quote(String word) {
    return "'" + word.replace("'", "'\\''") + "'";
  }

  /** A session on a terminal: the {@code script} process is its client. */
  public static final class Interactive implements AutoCloseable {
    private final Process client;
    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private final OutputStream input;

    Interactive(Process client) {
      this.client = client;
      this.input = client.getOutputStream();
      Commands.pump(client.getInputStream(), output);
    }

    public Process client() {
      return client;
    }

    public void send(String text) {
      try {
        input.write(text.getBytes(StandardCharsets.UTF_8));
        input.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    public String output() {
      synchronized (output) {
        return output.toString(StandardCharsets.UTF_8);
      }
    }

    /** Waits until the output contains {@code text}; fails with the output so far. */
    public String await(String text, Duration timeout) {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        String now = output();
        if (now.contains(text)) {
          return now;
        }
        ContainerdHarness.sleep(20);
      }
      throw new AssertionError(
          "no '" + text + "' within " + timeout + " in the session's output:\n" + output());
    }

    /** Waits for the session to end; returns its exit status. */
    public int awaitExit(Duration timeout) {
      try {
        if (!client.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
          throw new AssertionError("the session did not end within " + timeout + ":\n" + output());
        }
        return client.exitValue();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    @Override
    public void close() {
      client.destroyForcibly();
    }
  }
}
