package dev.lambdacntr.e2e;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real {@code lambda-cntr} launcher as a user does: a child process with the test's
 * environment (KUBECONFIG, CNTR_IMAGE, LAMBDA_CNTR_MODE: the suite's mode), real pipes for stdin,
 * stdout and stderr, and its exit status. Sessions target one namespace and use one agent namespace
 * (in direct mode).
 */
final class LambdaCntr {

  /** Longest any single run may take: a cold start included. */
  static final Duration RUN_LIMIT = Duration.ofMinutes(3);

  private final E2eSettings settings;
  private final String namespace;
  private final String agentNamespace;
  private final Map<String, String> environment;

  LambdaCntr(E2eSettings settings, String namespace, String agentNamespace) {
    this(settings, namespace, agentNamespace, Map.of());
  }

  private LambdaCntr(
      E2eSettings settings,
      String namespace,
      String agentNamespace,
      Map<String, String> environment) {
    this.settings = settings;
    this.namespace = namespace;
    this.agentNamespace = agentNamespace;
    this.environment = environment;
  }

  /** The same, with more environment variables for the CLI. */
  LambdaCntr withEnvironment(Map<String, String> more) {
    Map<String, String> all = new HashMap<>(environment);
    all.putAll(more);
    return new LambdaCntr(settings, namespace, agentNamespace, all);
  }

  String namespace() {
    return namespace;
  }

  String agentNamespace() {
    return agentNamespace;
  }

  /**
   * The namespace of the agents that serve this CLI's sessions: its {@code --agent-namespace} in
   * direct mode, the node agents' (install's namespace) in server mode.
   */
  String servingAgentNamespace() {
    return settings.serverMode() ? E2eSettings.SERVER_NAMESPACE : agentNamespace;
  }

  /** What a run did. */
  record Result(List<String> command, int exit, byte[] stdoutBytes, String stderr) {
    String stdout() {
      return new String(stdoutBytes, StandardCharsets.UTF_8);
    }

    /** The whole run, for assertion messages. */
    @Override
    public String toString() {
      return String.join(" ", command)
          + "\n  exit status: "
          + exit
          + "\n  stdout: "
          + stdout().strip().replace("\n", "\n          ")
          + "\n  stderr: "
          + stderr.strip().replace("\n", "\n          ");
    }
  }

  /** {@code lambda-cntr execute [OPTIONS] POD [CONTAINER] -- COMMAND...} with empty stdin. */
  Result execute(List<String> options, List<String> target, String... command) {
    return run(new byte[0], session("execute", options, target, List.of(command)));
  }

  /** {@code execute} with default options into the pod's only container. */
  Result execute(String pod, String... command) {
    return execute(List.of(), List.of(pod), command);
  }

  /** {@code lambda-cntr attach [OPTIONS] POD} with stdin from a pipe (no terminal). */
  Result attachPiped(List<String> options, String pod, String stdin) {
    return run(
        stdin.getBytes(StandardCharsets.UTF_8),
        session("attach", options, List.of(pod), List.of()));
  }

  /** The arguments of an attach or execute into this namespace with this agent namespace. */
  List<String> session(
      String verb, List<String> options, List<String> target, List<String> command) {
    List<String> args = new ArrayList<>();
    args.add(verb);
    args.addAll(List.of("-n", namespace, "--agent-namespace", agentNamespace));
    args.addAll(options);
    args.addAll(target);
    if (!command.isEmpty()) {
      args.add("--");
      args.addAll(command);
    }
    return args;
  }

  /** Any command line, with empty stdin. */
  Result run(String... args) {
    return run(new byte[0], List.of(args));
  }

  /** Any command line, {@code stdin} written to it and then closed. */
  Result run(byte[] stdin, List<String> args) {
    return run(stdin, args, RUN_LIMIT);
  }

  /** Any command line, {@code stdin} written to it and then closed, ended after {@code limit}. */
  Result run(byte[] stdin, List<String> args, Duration limit) {
    List<String> command = command(args);
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(environment());
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
    CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> drain(process, true));
    CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> drain(process, false));
    try (OutputStream in = process.getOutputStream()) {
      in.write(stdin);
    } catch (IOException e) {
      // the CLI ended before reading all of stdin: its status and stderr say why
    }
    try {
      if (!process.waitFor(limit.toSeconds(), TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor();
        fail(
            "lambda-cntr did not finish within "
                + limit.toSeconds()
                + "s: "
                + new Result(command, -1, out.join(), utf8(err.join())));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new AssertionError("interrupted while running " + command, e);
    }
    return new Result(command, process.exitValue(), out.join(), utf8(err.join()));
  }

  /** The launcher's full command line for {@code args}. */
  List<String> command(List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(settings.cli().toString());
    command.addAll(args);
    return command;
  }

  /** The environment the CLI runs with: the test's own, plus the image and any extras. */
  Map<String, String> environment() {
    Map<String, String> env = new HashMap<>(settings.cliEnvironment());
    env.putAll(environment);
    return env;
  }

  private static byte[] drain(Process process, boolean stdout) {
    try (InputStream in = stdout ? process.getInputStream() : process.getErrorStream()) {
      ByteArrayOutputStream buffer = new ByteArrayOutputStream();
      in.transferTo(buffer);
      return buffer.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String utf8(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
