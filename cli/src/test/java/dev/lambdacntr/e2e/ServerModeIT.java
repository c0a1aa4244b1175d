package dev.lambdacntr.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.Config;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Server mode (issue 14) on a real cluster: {@code lambda-cntr install} with the images the suite
 * uses, sessions through the gateway and the node agents (exit status, stdin and its end, a
 * terminal), a user {@code dev-a} (a client certificate of the test bed's CA) who holds {@code
 * lambda-cntr-debugger} and {@code pods/exec} in one namespace only: allowed there, refused with 67
 * naming the verb and the namespace in another, and named by the Event on the target; the node
 * agent's port refuses a client without the gateway's certificate from inside the cluster. {@code
 * lambda-cntr uninstall} at the end.
 */
class ServerModeIT {

  /** The test bed's CA, which signs dev-a's client certificate (testbed/pki.sh). */
  static final Path CA_DIR =
      Path.of(
          System.getenv()
              .getOrDefault("LAMBDA_CNTR_E2E_CA_DIR", "/var/lib/lambda-cntr-testbed/pki"));

  static final String INSTALL_NS = "lambda-cntr-system";
  static final String USER = "dev-a";

  static TestCluster cluster;
  static E2eNamespace allowed;
  static E2eNamespace other;
  static LambdaCntr admin;
  static LambdaCntr adminOther;
  static LambdaCntr devA;
  static LambdaCntr devAOther;
  static Path work;

  @BeforeAll
  static void install() throws IOException {
    cluster = TestCluster.get();
    if (!Files.isReadable(CA_DIR.resolve("ca.key"))) {
      E2eSettings.unavailable(
          "no CA key at " + CA_DIR + " to make dev-a's certificate (LAMBDA_CNTR_E2E_CA_DIR)");
    }
    work = Files.createTempDirectory("server-mode-it");
    allowed = cluster.namespace("srv-a");
    other = cluster.namespace("srv-b");
    Target.busybox(cluster, allowed.name(), "target", cluster.firstNode());
    Target.busybox(cluster, other.name(), "target", cluster.firstNode());
    admin = new LambdaCntr(cluster.settings(), allowed.name(), allowed.agentNamespace("srv"));
    adminOther = new LambdaCntr(cluster.settings(), other.name(), other.agentNamespace("srv"));

    LambdaCntr.Result installed =
        admin.run("install", "--image", cluster.settings().debugImage(), "--timeout", "4m", "-v");
    assertThat(installed.exit()).as(installed.toString()).isZero();
    assertThat(installed.stderr()).contains("server mode is ready");

    grantDevA(allowed.name());
    Path kubeconfig = devAKubeconfig();
    devA = admin.withEnvironment(Map.of("KUBECONFIG", kubeconfig.toString()));
    devAOther = adminOther.withEnvironment(Map.of("KUBECONFIG", kubeconfig.toString()));
  }

  @AfterAll
  static void uninstall() {
    try {
      if (admin != null) {
        LambdaCntr.Result removed = admin.run("uninstall", "--timeout", "3m");
        assertThat(removed.exit()).as(removed.toString()).isZero();
        assertThat(cluster.client().namespaces().withName(INSTALL_NS).get()).isNull();
      }
    } finally {
      if (allowed != null) {
        allowed.close();
      }
      if (other != null) {
        other.close();
      }
    }
  }

  @Test
  void executeReturnsTheStatusAndCarriesStdinToItsEnd() {
    LambdaCntr.Result r =
        admin.run(
            "first line\nsecond\n".getBytes(StandardCharsets.UTF_8),
            admin.session(
                "execute",
                List.of("--mode", "server", "-v"),
                List.of("target"),
                List.of("sh", "-c", "cat; echo end-of-input; echo to-stderr >&2; exit 3")));
    assertThat(r.exit()).as(r.toString()).isEqualTo(3);
    assertThat(r.stdout()).as(r.toString()).isEqualTo("first line\nsecond\nend-of-input\n");
    assertThat(r.stderr()).as(r.toString()).contains("to-stderr", "mode: server");
  }

  @Test
  void autoModeChoosesServerModeOnceInstalled() {
    LambdaCntr.Result r = admin.execute(List.of("-v"), List.of("target"), "true");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.stderr()).as(r.toString()).contains("mode: server (");
  }

  @Test
  void attachWithATerminal() {
    LambdaCntr.Result r =
        admin.run(
            "tty; stty size; exit 5\n".getBytes(StandardCharsets.UTF_8),
            admin.session(
                "attach", List.of("--mode", "server", "-t"), List.of("target"), List.of()));
    assertThat(r.exit()).as(r.toString()).isEqualTo(5);
    assertThat(r.stdout()).as(r.toString()).contains("/dev/pts/");
  }

  @Test
  void attachThroughARealTerminalWithItsSizeAResizeAndOneExit(@TempDir Path dir)
      throws IOException {
    List<String> command =
        admin.command(
            admin.session("attach", List.of("--mode", "server"), List.of("target"), List.of()));
    StringBuilder script = new StringBuilder("#!/bin/bash\n");
    admin
        .environment()
        .forEach(
            (k, v) -> script.append("export ").append(k).append('=').append(quote(v)).append('\n'));
    script.append("stty -a > ").append(quote(dir.resolve("stty.before").toString())).append('\n');
    script
        .append(String.join(" ", command.stream().map(ServerModeIT::quote).toList()))
        .append('\n');
    script.append("echo \"attach ended with status $?\"\n");
    script.append("stty -a > ").append(quote(dir.resolve("stty.after").toString())).append('\n');
    script.append("sleep 30\n");
    Path outer = dir.resolve("outer.sh");
    TmuxTerminal.write(outer, script.toString());
    Duration screen = Duration.ofSeconds(60);
    try (TmuxTerminal terminal = TmuxTerminal.start(dir, 80, 24, outer)) {
      terminal.awaitScreen(Pattern.compile("@target:[^\\n]*[#$] ?$", Pattern.MULTILINE), screen);
      terminal.typeLine("echo typed-$((6 * 7)); stty size");
      terminal.awaitScreen(Pattern.compile("(?m)^typed-42\\s*\\n24 80\\s*$"), screen);
      terminal.resize(132, 43);
      Pattern resized = Pattern.compile("(?m)^43 132\\s*$");
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      do {
        terminal.typeLine("stty size");
        TestCluster.sleep(Duration.ofMillis(500));
      } while (!resized.matcher(terminal.screen()).find() && System.nanoTime() < deadline);
      terminal.awaitScreen(resized, Duration.ofSeconds(1));
      terminal.typeLine("exit 4");
      terminal.awaitScreen(Pattern.compile("attach ended with status 4\\s*\\n"), screen);
      Path after = dir.resolve("stty.after");
      TestCluster.eventually(
          Duration.ofSeconds(10),
          "stty -a after attach",
          () -> after.toFile().length() > 0,
          () -> after.toString());
    }
    assertThat(
            Files.readString(dir.resolve("stty.after")).replaceAll("rows \\d+; columns \\d+;", ""))
        .as("the terminal's modes after attach")
        .isEqualTo(
            Files.readString(dir.resolve("stty.before"))
                .replaceAll("rows \\d+; columns \\d+;", ""));
  }

  private static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }

  @Test
  void aSessionEndsWhenItsClientIsKilled() {
    // a client gone by SIGKILL (a lost laptop): the API server closes the gateway's side, the
    // gateway the node agent's, and the node agent ends every process of the session
    RunningCli session =
        RunningCli.start(
            admin,
            admin.session(
                "execute",
                List.of("--mode", "server"),
                List.of("target"),
                List.of("sleep", "301")));
    try {
      TestCluster.eventually(
          Duration.ofMinutes(2),
          "the session in the pod",
          () -> sessionProcesses().contains("comm=lambda-cntr-exe"),
          session::toString);
      session.kill();
      TestCluster.eventually(
          Duration.ofSeconds(30),
          "no session process left in the pod after the CLI's SIGKILL",
          () -> !sessionProcesses().contains("comm=lambda-cntr-exe"),
          ServerModeIT::sessionProcesses);
    } finally {
      session.kill();
    }
  }

  private static String sessionProcesses() {
    return cluster.exec(allowed.name(), "target", "main", "sh", "-c", HostilePodIT.HUNT);
  }

  @Test
  void aRefusalOfTheGatewayExitsAsDirectModeDoes() {
    LambdaCntr.Result r =
        admin.execute(List.of("--mode", "server"), List.of("no-such-pod"), "true");
    assertThat(r.exit()).as(r.toString()).isEqualTo(68);
    assertThat(r.stderr()).as(r.toString()).contains("no-such-pod", "not found");
  }

  @Test
  void devAMayDebugInTheirNamespaceAndTheEventNamesThem() {
    LambdaCntr.Result r =
        devA.execute(List.of("--mode", "server"), List.of("target"), "echo", "ok");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.stdout()).isEqualTo("ok\n");
    TestCluster.eventually(
        Duration.ofSeconds(20),
        "an Event on the target naming " + USER,
        () -> cluster.eventsAbout(allowed.name(), "target").contains(USER),
        () -> cluster.eventsAbout(allowed.name(), "target"));
  }

  @Test
  void devAIsRefusedElsewhereWith67NamingVerbAndNamespace() {
    LambdaCntr.Result r =
        devAOther.execute(List.of("--mode", "server"), List.of("target"), "echo", "ok");
    assertThat(r.exit()).as(r.toString()).isEqualTo(67);
    assertThat(r.stdout()).isEmpty();
    assertThat(r.stderr())
        .as(r.toString())
        .contains(other.name())
        .containsPattern("\\b(get|create)\\b");
  }

  @Test
  void theNodeAgentRefusesAClientWithoutTheGatewaysCertificate() {
    Pod probe =
        cluster.runReady(
            allowed.name(),
            new PodBuilder()
                .withNewMetadata()
                .withName("probe")
                .endMetadata()
                .withNewSpec()
                .withNodeName(cluster.secondNode())
                .withTerminationGracePeriodSeconds(1L)
                .addNewContainer()
                .withName("main")
                .withImage(cluster.settings().debugImage())
                .withImagePullPolicy("IfNotPresent")
                .withCommand("sleep", "600")
                .endContainer()
                .endSpec()
                .build());
    assertThat(probe).isNotNull();
    List<Pod> agents =
        cluster
            .client()
            .pods()
            .inNamespace(INSTALL_NS)
            .withLabel("app.kubernetes.io/name", "lambda-cntr-node-agent")
            .list()
            .getItems();
    assertThat(agents).isNotEmpty();
    for (Pod agent : agents) {
      String url = "https://" + agent.getStatus().getPodIP() + ":10251/healthz";
      String out =
          cluster.exec(
              allowed.name(),
              "probe",
              "main",
              "sh",
              "-c",
              "curl -sk -m 5 -o /dev/null -w 'http=%{http_code} ' " + url + "; echo rc=$?");
      // the TLS handshake fails (curl 35/56): no HTTP status, no request read
      assertThat(out).as(url + ": " + out).contains("http=000").doesNotContain("rc=0");
    }
  }

  /** dev-a: lambda-cntr-debugger and create pods/exec (with get pods) in {@code namespace}. */
  static void grantDevA(String namespace) {
    var rbac = cluster.client().rbac();
    rbac.roles()
        .inNamespace(namespace)
        .resource(
            new RoleBuilder()
                .withNewMetadata()
                .withName("exec")
                .endMetadata()
                .addNewRule()
                .withApiGroups("")
                .withResources("pods/exec")
                .withVerbs("create", "get")
                .endRule()
                .addNewRule()
                .withApiGroups("")
                .withResources("pods")
                .withVerbs("get")
                .endRule()
                .build())
        .create();
    for (String[] binding :
        List.of(
            new String[] {"exec", "Role"}, new String[] {"lambda-cntr-debugger", "ClusterRole"})) {
      rbac.roleBindings()
          .inNamespace(namespace)
          .resource(
              new RoleBindingBuilder()
                  .withNewMetadata()
                  .withName(USER + "-" + binding[0])
                  .endMetadata()
                  .withNewRoleRef()
                  .withApiGroup("rbac.authorization.k8s.io")
                  .withKind(binding[1])
                  .withName(binding[0])
                  .endRoleRef()
                  .addNewSubject()
                  .withApiGroup("rbac.authorization.k8s.io")
                  .withKind("User")
                  .withName(USER)
                  .endSubject()
                  .build())
          .create();
    }
  }

  /** A kubeconfig for dev-a: a client certificate of the test bed's CA, the cluster's server. */
  static Path devAKubeconfig() throws IOException {
    Path key = work.resolve("dev-a.key");
    Path csr = work.resolve("dev-a.csr");
    Path crt = work.resolve("dev-a.crt");
    run(
        "openssl",
        "req",
        "-new",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        key.toString(),
        "-out",
        csr.toString(),
        "-subj",
        "/CN=" + USER);
    run(
        "openssl",
        "x509",
        "-req",
        "-in",
        csr.toString(),
        "-CA",
        CA_DIR.resolve("ca.crt").toString(),
        "-CAkey",
        CA_DIR.resolve("ca.key").toString(),
        "-CAcreateserial",
        "-CAserial",
        work.resolve("ca.srl").toString(),
        "-days",
        "1",
        "-out",
        crt.toString());
    Config config = cluster.client().getConfiguration();
    String server = config.getMasterUrl().replaceAll("/$", "");
    String ca =
        config.getCaCertData() != null
            ? config.getCaCertData()
            : b64(Files.readString(Path.of(config.getCaCertFile())));
    String yaml =
        """
        apiVersion: v1
        kind: Config
        clusters:
          - name: bed
            cluster:
              server: %s
              certificate-authority-data: %s
        users:
          - name: %s
            user:
              client-certificate-data: %s
              client-key-data: %s
        contexts:
          - name: %s
            context:
              cluster: bed
              user: %s
        current-context: %s
        """
            .formatted(
                server,
                ca,
                USER,
                b64(Files.readString(crt)),
                b64(Files.readString(key)),
                USER,
                USER,
                USER);
    Path file = work.resolve("dev-a.kubeconfig");
    Files.writeString(file, yaml);
    return file;
  }

  static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.US_ASCII));
  }

  static void run(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new AssertionError(String.join(" ", command) + " failed: " + out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
