package dev.lambdacntr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lambdacntr.cli.testing.CliHarness;
import dev.lambdacntr.cli.testing.CliHarness.Result;
import dev.lambdacntr.protocol.ExitCode;
import dev.lambdacntr.protocol.FsBackend;
import dev.lambdacntr.target.Version;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Option parsing, defaults and the errors that come before any API request. */
class CommandLineTest {

  @TempDir Path home;

  Map<String, String> env() {
    return Map.of("HOME", home.toString());
  }

  static <T> T parsed(Map<String, String> env, Class<T> type, String... args) {
    CliContext context =
        new CliContext(
            new Environment(env),
            InputStream.nullInputStream(),
            new ByteArrayOutputStream(),
            new PrintStream(new ByteArrayOutputStream()),
            () -> false,
            () -> false,
            0);
    CommandLine cl = Cli.commandLine(context);
    CommandLine.ParseResult result = cl.parseArgs(args);
    return type.cast(result.subcommand().commandSpec().userObject());
  }

  @Test
  void defaults() {
    AttachCommand a = parsed(Map.of(), AttachCommand.class, "attach", "pod");
    assertThat(a.pod).isEqualTo("pod");
    assertThat(a.container).isNull();
    assertThat(a.session.namespace).isEmpty();
    assertThat(a.session.image).isEqualTo("ghcr.io/lambda-cntr/debug:" + Version.version());
    assertThat(a.session.socketPath).isNull();
    assertThat(a.session.idleTimeout).isEqualTo(Duration.ofMinutes(15));
    assertThat(a.session.fs).isEqualTo(FsBackend.AUTO);
    assertThat(a.session.tty).isFalse();
    assertThat(a.cluster.timeout).isEqualTo(Duration.ofMinutes(2));
    assertThat(a.cluster.agentNamespace).isEqualTo("lambda-cntr");
    assertThat(a.cluster.context).isEmpty();
    assertThat(a.cluster.kubeconfig).isEmpty();
    assertThat(Version.version()).matches("\\d+\\.\\d+\\.\\d+.*");
  }

  @Test
  void environmentDefaultsAndFlagsThatOverrideThem() {
    Map<String, String> env =
        Map.of(
            "CNTR_IMAGE",
            "example.org/tools:7",
            "SOCKET_PATH",
            "/run/k3s/containerd/containerd.sock");
    AttachCommand fromEnv = parsed(env, AttachCommand.class, "attach", "pod", "app");
    assertThat(fromEnv.session.image).isEqualTo("example.org/tools:7");
    assertThat(fromEnv.session.socketPath).isEqualTo("/run/k3s/containerd/containerd.sock");
    assertThat(fromEnv.container).isEqualTo("app");
    AttachCommand flags =
        parsed(
            env,
            AttachCommand.class,
            "attach",
            "-i",
            "mine:1",
            "-s",
            "/run/containerd/containerd.sock",
            "-n",
            "shop",
            "--context",
            "prod",
            "--kubeconfig",
            "/k",
            "--timeout",
            "30s",
            "--idle-timeout",
            "1h",
            "--fs",
            "mount",
            "-t",
            "--agent-namespace",
            "dbg",
            "pod");
    assertThat(flags.session.image).isEqualTo("mine:1");
    assertThat(flags.session.socketPath).isEqualTo("/run/containerd/containerd.sock");
    assertThat(flags.session.namespace).contains("shop");
    assertThat(flags.cluster.context).contains("prod");
    assertThat(flags.cluster.kubeconfig).contains(Path.of("/k"));
    assertThat(flags.cluster.timeout).isEqualTo(Duration.ofSeconds(30));
    assertThat(flags.session.idleTimeout).isEqualTo(Duration.ofHours(1));
    assertThat(flags.session.fs).isEqualTo(FsBackend.MOUNT);
    assertThat(flags.session.tty).isTrue();
    assertThat(flags.cluster.agentNamespace).isEqualTo("dbg");
  }

  @Test
  void modeComesFromLambdaCntrModeAndTheFlagWins() {
    assertThat(parsed(Map.of(), AttachCommand.class, "attach", "pod").session.mode)
        .isEqualTo("auto");
    Map<String, String> env = Map.of("LAMBDA_CNTR_MODE", "server");
    assertThat(parsed(env, AttachCommand.class, "attach", "pod").session.mode).isEqualTo("server");
    assertThat(parsed(env, ExecuteCommand.class, "execute", "pod", "--", "id").session.mode)
        .isEqualTo("server");
    assertThat(parsed(env, AttachCommand.class, "attach", "--mode", "direct", "pod").session.mode)
        .isEqualTo("direct");
  }

  @Test
  void executeSplitsContainerAndCommandAtTheDashes() {
    ExecuteCommand e =
        parsed(
            Map.of(), ExecuteCommand.class, "execute", "pod", "app", "--", "ls", "-l", "--", "-t");
    assertThat(e.pod()).isEqualTo("pod");
    assertThat(e.container()).contains("app");
    assertThat(e.command()).containsExactly("ls", "-l", "--", "-t");
    ExecuteCommand noContainer =
        parsed(Map.of(), ExecuteCommand.class, "execute", "-q", "pod", "--", "id");
    assertThat(noContainer.container()).isEmpty();
    assertThat(noContainer.command()).containsExactly("id");
  }

  @Test
  void usageErrorsAreNamedAndExit64() {
    expectUsage(
        run("execute", "pod"),
        "lambda-cntr: execute needs a command after '--': lambda-cntr execute POD [CONTAINER] -- CMD [ARGS...]");
    expectUsage(
        run("execute", "pod", "a", "b", "--", "ls"),
        "lambda-cntr: too many arguments before '--': a b (expected at most one CONTAINER)");
    expectUsage(
        run("attach", "-q", "-v", "pod"), "lambda-cntr: --verbose and --quiet cannot be combined");
    expectUsage(
        run("attach", "--timeout", "0s", "pod"),
        "lambda-cntr: --timeout must be positive, not 0ms");
    expectUsage(
        run("attach", "--idle-timeout", "500ms", "pod"),
        "lambda-cntr: --idle-timeout must be at least 1s, not 500ms");
    expectUsage(
        run("attach", "--fs", "nfs", "pod"),
        "lambda-cntr: Invalid value for option '--fs': 'nfs': expected auto, mount or fuse");
    expectUsage(
        run("attach", "--timeout", "soon", "pod"),
        "lambda-cntr: Invalid value for option '--timeout': 'soon' is not a duration (examples: 30s, 2m, 1h30m, 500ms, 90)");
    expectUsage(
        run("attach", "--mode", "proxy", "pod"),
        "lambda-cntr: --mode (or LAMBDA_CNTR_MODE) must be auto, server or direct, not 'proxy'");
    expectUsage(
        CliHarness.run(Map.of("LAMBDA_CNTR_MODE", "proxy"), "attach", "pod"),
        "lambda-cntr: --mode (or LAMBDA_CNTR_MODE) must be auto, server or direct, not 'proxy'");
    expectUsage(run("attach"), "lambda-cntr: Missing required parameter: 'POD'");
    expectUsage(run("attach", "--bogus", "pod"), "lambda-cntr: Unknown option: '--bogus'");
    expectUsage(
        run(), "lambda-cntr: missing command: attach, execute, debug, port-forward or cleanup");
    expectUsage(run("frobnicate"), "lambda-cntr: Unmatched argument at index 0: 'frobnicate'");
  }

  private static void expectUsage(Result r, String firstLine) {
    assertThat(r.exit()).as(r.stderr()).isEqualTo(ExitCode.USAGE.code());
    assertThat(r.stderr().lines().findFirst()).contains(firstLine);
  }

  @Test
  void helpAndVersion() {
    Result help = run("--help");
    assertThat(help.exit()).isZero();
    assertThat(help.stdout())
        .contains(
            "attach",
            "execute",
            "cleanup",
            "completion",
            "Exit status:",
            " 68  pod not found",
            " 78  credentials rejected by the API server");
    Result attachHelp = run("attach", "--help");
    assertThat(attachHelp.exit()).isZero();
    assertThat(attachHelp.stdout())
        .contains("--idle-timeout=DURATION", "--fs=BACKEND", "CNTR_IMAGE", "LAMBDA_CNTR_MODE")
        .doesNotContain("--socket-path");
    Result version = run("--version");
    assertThat(version.exit()).isZero();
    assertThat(version.stdout()).isEqualTo("lambda-cntr " + Version.version() + "\n");
    assertThat(run("-V").stdout()).isEqualTo(version.stdout());
    // Main answers --version and -V alone before picocli, with the line picocli prints
    assertThat(version.stdout()).isEqualTo(Version.line() + "\n");
    assertThat(Main.isVersionRequest(new String[] {"--version"})).isTrue();
    assertThat(Main.isVersionRequest(new String[] {"-V"})).isTrue();
    assertThat(Main.isVersionRequest(new String[] {"attach", "--version"})).isFalse();
    assertThat(Main.isVersionRequest(new String[] {"--version", "-v"})).isFalse();
  }

  @Test
  void completionScriptCoversCommandsAndOptions() {
    Result r = run("completion");
    assertThat(r.exit()).isZero();
    assertThat(r.stdout())
        .contains("complete -F", "attach", "execute", "cleanup", "--idle-timeout");
  }

  @Test
  void missingKubeconfigIsNamed() {
    Result r = run("attach", "pod");
    assertThat(r.exit()).isEqualTo(ExitCode.NO_CLUSTER_CONFIG.code());
    assertThat(r.stderr())
        .isEqualTo(
            "lambda-cntr: no kubeconfig: "
                + home.resolve(".kube/config")
                + " does not exist (set KUBECONFIG or pass --kubeconfig)\n");
    Result flag = run("attach", "--kubeconfig", "/nonexistent/kc", "pod");
    assertThat(flag.exit()).isEqualTo(ExitCode.NO_CLUSTER_CONFIG.code());
    assertThat(flag.stderr()).isEqualTo("lambda-cntr: kubeconfig /nonexistent/kc: no such file\n");
  }

  @Test
  void unknownContextIsNamedWithTheKnownOnes() throws IOException {
    Path kc = home.resolve("kc");
    Files.writeString(
        kc,
        """
        apiVersion: v1
        kind: Config
        clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
        users: [{name: u, user: {token: t}}]
        contexts: [{name: dev, context: {cluster: c, user: u}}, {name: prod, context: {cluster: c, user: u}}]
        current-context: dev
        """);
    Result r = run("attach", "--kubeconfig", kc.toString(), "--context", "staging", "pod");
    assertThat(r.exit()).isEqualTo(ExitCode.NO_CLUSTER_CONFIG.code());
    assertThat(r.stderr())
        .isEqualTo(
            "lambda-cntr: context 'staging' not found in kubeconfig "
                + kc
                + " (contexts: dev, prod)\n");
  }

  @Test
  void verboseShowsTheStackTrace() {
    Result r = run("attach", "-v", "--kubeconfig", "/nonexistent/kc", "pod");
    assertThat(r.stderr())
        .contains(
            "lambda-cntr: kubeconfig /nonexistent/kc: no such file", "at dev.lambdacntr.cli.");
  }

  Result run(String... args) {
    return CliHarness.run(env(), args);
  }

  static Optional<String> unused() {
    return Optional.empty();
  }
}
