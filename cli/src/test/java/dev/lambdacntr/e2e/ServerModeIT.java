package dev.lambdacntr.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
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
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Server mode (issue 14) on a real cluster: {@code lambda-cntr install} with the images the suite
 * uses, sessions through the gateway and the node agents (exit status, stdin and its end, a
 * terminal), a user {@code dev-a} (a client certificate of the test bed's CA) who holds {@code
 * lambda-cntr-debugger} and {@code pods/exec} in one namespace only: allowed there, refused with 67
 * naming the verb and the namespace in another, and named by the Event on the target; the node
 * agent's port refuses a client without the gateway's certificate from inside the cluster. The
 * gateway protects the target while a session or a server-mode port-forward lives (dev-a holds no
 * right to patch pods or create PodDisruptionBudgets), and removes the marks when it ends, also by
 * SIGKILL. Port forwards and {@code debug --gdbserver} through the core {@code pods/portforward}
 * with dev-a's own rights, {@code execute -l} through the gateway, {@code status}, the API server's
 * audit log naming dev-a, and the faults: a gateway replica or a node agent deleted mid-session.
 * {@code lambda-cntr uninstall} at the end, then {@code status} exits 81. It chooses its modes
 * itself (auto, or {@code --mode server}), so it runs in scripts/e2e's direct-mode pass only
 * ({@code direct-only}): the server-mode pass has server mode installed already, which this class
 * would rotate and remove.
 */
@Tag("direct-only")
class ServerModeIT {

  /** What HostilePodIT.HUNT prints for a session's helper in the target's PID namespace. */
  private static final String SESSION_COMM = "comm=lambda-cntr-exe";

  /** The test bed's CA, which signs dev-a's client certificate (testbed/pki.sh). */
  static final Path CA_DIR =
      Path.of(
          System.getenv()
              .getOrDefault("LAMBDA_CNTR_E2E_CA_DIR", "/var/lib/lambda-cntr-testbed/pki"));

  static final String INSTALL_NS = "lambda-cntr-system";
  static final String USER = "dev-a";

  /** The test bed's API server audit log (testbed/up). */
  static final String AUDIT_LOG = "/var/lib/lambda-cntr-testbed/logs/audit.log";

  static TestCluster cluster;
  static E2eNamespace allowed;
  static E2eNamespace other;
  static LambdaCntr admin;
  static LambdaCntr adminOther;
  static LambdaCntr devA;
  static LambdaCntr devAOther;
  static Path work;
  static Target gatewayFaultTarget;
  static Target agentFaultTarget;

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
    gatewayFaultTarget = Target.busybox(cluster, allowed.name(), "gw-fault", cluster.firstNode());
    agentFaultTarget = Target.busybox(cluster, allowed.name(), "agent-fault", cluster.firstNode());
    for (String node : List.of(cluster.firstNode(), cluster.secondNode())) {
      Pod fan = E2eNamespace.target("fan-" + node, node, cluster.settings().busyboxImage());
      fan.getMetadata().getLabels().put("fan", "out");
      cluster.runReady(allowed.name(), fan);
    }
    // the mode as a user has it (auto), not the suite's pass's
    Map<String, String> auto = Map.of("LAMBDA_CNTR_MODE", "auto");
    admin =
        new LambdaCntr(cluster.settings(), allowed.name(), allowed.agentNamespace("srv"))
            .withEnvironment(auto);
    adminOther =
        new LambdaCntr(cluster.settings(), other.name(), other.agentNamespace("srv"))
            .withEnvironment(auto);

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
        LambdaCntr.Result status = admin.run("status");
        assertThat(status.exit()).as(status.toString()).isEqualTo(81);
        assertThat(status.stdout()).as(status.toString()).contains("server mode: not installed");
        assertThat(status.stderr()).as(status.toString()).contains("lambda-cntr install");
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
    // gateway the node agent's, and the node agent ends every process of the session; the
    // gateway removes the protection marks it set, with no guardian process on the client's side
    RunningCli session =
        RunningCli.start(
            admin,
            admin.session(
                "execute",
                List.of("--mode", "server", "--protect"),
                List.of("target"),
                List.of("sleep", "301")));
    try {
      awaitSessionProcess("target", Duration.ofMinutes(2), session);
      assertThat(marks(allowed.name())).as(session.toString()).isEqualTo(Marks.ALL);
      session.kill();
      awaitNoSessionProcess("target", "after the CLI's SIGKILL");
      awaitMarks(Marks.NONE, Duration.ofSeconds(30), "after the CLI's SIGKILL", session);
    } finally {
      session.kill();
    }
  }

  @Test
  void theGatewayProtectsTheTargetOfAnAttachForDevAUntilItEnds() {
    // dev-a may neither patch pods nor create PodDisruptionBudgets: the gateway does both
    RunningCli session =
        RunningCli.start(
            devA,
            devA.session("attach", List.of("--mode", "server"), List.of("target"), List.of()));
    try {
      awaitMarks(Marks.ALL, Duration.ofMinutes(2), "while dev-a is attached", session);
      session.write("exit 4\n");
      session.closeStdin();
      assertThat(session.awaitExit(Duration.ofSeconds(60))).as(session.toString()).isEqualTo(4);
      awaitMarks(Marks.NONE, Duration.ofSeconds(20), "after the session", session);
    } finally {
      session.kill();
    }
  }

  @Test
  void aServerModePortForwardHasTheGatewayProtectThePodWhileItForwards() {
    RunningCli forward =
        RunningCli.start(
            admin,
            List.of(
                "port-forward", "--mode", "server", "-v", "-n", allowed.name(), "target", ":8080"));
    try {
      forward.awaitLine(
          "naming the local port", l -> l.contains(" -> 8080 in pod "), Duration.ofMinutes(1));
      awaitMarks(Marks.ALL, Duration.ofSeconds(30), "while forwarding", forward);
      assertThat(forward.stderr()).contains("the gateway protects pod " + allowed.name());
      forward.kill();
      awaitMarks(Marks.NONE, Duration.ofSeconds(30), "after the port-forward's SIGKILL", forward);
    } finally {
      forward.kill();
    }
  }

  /** Whether the target carries every protection mark, none, or some. */
  enum Marks {
    ALL,
    NONE,
    SOME
  }

  /** Waits until the target in the allowed namespace carries {@code wanted} marks. */
  static void awaitMarks(Marks wanted, Duration within, String when, RunningCli session) {
    TestCluster.eventually(
        within,
        (wanted == Marks.ALL ? "the pod marked " : "no protection marks left on the pod ") + when,
        () -> marks(allowed.name()) == wanted,
        () -> describeMarks(allowed.name()) + "\n" + session);
  }

  static Marks marks(String namespace) {
    Pod pod = cluster.client().pods().inNamespace(namespace).withName("target").get();
    Map<String, String> annotations =
        pod.getMetadata().getAnnotations() == null ? Map.of() : pod.getMetadata().getAnnotations();
    Map<String, String> labels =
        pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
    List<Boolean> present =
        List.of(
            "2147483647".equals(annotations.get(ServerlessProtectionIT.COST)),
            "false".equals(annotations.get(ServerlessProtectionIT.SAFE_TO_EVICT)),
            annotations.containsKey(ServerlessProtectionIT.STATE),
            labels.containsKey(ServerlessProtectionIT.LABEL),
            cluster
                    .client()
                    .genericKubernetesResources(ServerlessProtectionIT.PDB)
                    .inNamespace(namespace)
                    .withName("lambda-cntr-target")
                    .get()
                != null);
    return present.stream().allMatch(b -> b)
        ? Marks.ALL
        : present.stream().noneMatch(b -> b) ? Marks.NONE : Marks.SOME;
  }

  static String describeMarks(String namespace) {
    Pod pod = cluster.client().pods().inNamespace(namespace).withName("target").get();
    return "annotations "
        + pod.getMetadata().getAnnotations()
        + ", labels "
        + pod.getMetadata().getLabels()
        + ", budgets "
        + cluster
            .client()
            .genericKubernetesResources(ServerlessProtectionIT.PDB)
            .inNamespace(namespace)
            .list()
            .getItems()
            .stream()
            .map(b -> b.getMetadata().getName())
            .toList();
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
            allowed.name(), AgentPortProbe.pod(cluster, "probe", cluster.secondNode()).build());
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
      String url = AgentPortProbe.healthz(agent);
      String out = AgentPortProbe.get(cluster, allowed.name(), "probe", url, Optional.empty());
      assertThat(out).as(url + ": " + out).contains("http=000").doesNotContain("rc=0");
    }
  }

  /**
   * The node agent serves every fuse session on its node from one cntrfs mount, so a session finds
   * the tools root in the kernel's caches as earlier sessions left them: a session opened while
   * another is open sees the same file system (device), where servers of their own would be two.
   */
  @Test
  void fuseSessionsOnANodeShareTheNodeAgentsCntrfsMount() {
    String device = "awk '$5 == \"/\"' /proc/self/mountinfo | grep -q fuse.cntrfs && stat -c %d /";
    List<String> fuse = List.of("--mode", "server", "--fs", "fuse");
    RunningCli held =
        RunningCli.start(
            admin,
            admin.session(
                "execute",
                fuse,
                List.of("target"),
                List.of("sh", "-c", device + "; read -r line || true")));
    try {
      String first =
          held.awaitLine(
              "the first session's device", line -> line.matches("[0-9]+"), Duration.ofMinutes(1));
      LambdaCntr.Result second = admin.execute(fuse, List.of("target"), "sh", "-c", device);
      assertThat(second.exit()).as(second.toString()).isZero();
      assertThat(second.stdout())
          .as("the tools root's device in a session opened beside the first: " + second)
          .isEqualTo(first + "\n");
      held.closeStdin();
      assertThat(held.awaitExit(Duration.ofSeconds(60))).as(held.toString()).isZero();
    } finally {
      held.kill();
    }
  }

  @Test
  void statusShowsTheGatewayAndTheNodeAgentsPerNode() {
    LambdaCntr.Result r = admin.run("status", "--namespace", INSTALL_NS);
    assertThat(r.exit()).as(r.toString()).isZero();
    String version = cluster.settings().debugImage().replaceAll(".*:", "");
    // The DaemonSet runs on every node of the bed, however many it has (2 on the small bed, 4
    // with the Docker and CRI-O nodes).
    int nodes = cluster.client().nodes().list().getItems().size();
    assertThat(r.stdout())
        .as(r.toString())
        .contains(
            "server mode: installed, APIService v1alpha1.cntr.lambda-cntr.dev is Available",
            "gateway: 2 of 2 replicas ready",
            "node agents: " + nodes + " of " + nodes + " nodes ready")
        .containsPattern("(?m)^  " + cluster.firstNode() + " +lambda-cntr-node-agent-\\S+ +yes +")
        .containsPattern("(?m)^  " + cluster.secondNode() + " +lambda-cntr-node-agent-\\S+ +yes +")
        .contains(version);
  }

  @Test
  void theGatewayAndTheNodeAgentsUseTheImagesBoringSslAndTheNodeAgentItsAotCache() {
    for (String name : List.of("lambda-cntr-gateway", "lambda-cntr-node-agent")) {
      List<Pod> pods =
          cluster
              .client()
              .pods()
              .inNamespace(INSTALL_NS)
              .withLabel("app.kubernetes.io/name", name)
              .list()
              .getItems();
      assertThat(pods).as(name).isNotEmpty();
      for (Pod pod : pods) {
        String log =
            cluster
                .client()
                .pods()
                .inNamespace(INSTALL_NS)
                .withName(pod.getMetadata().getName())
                .getLog();
        // the JDK's AES-GCM under C1 relays a server-mode copy at a third of BoringSSL's rate
        assertThat(log).as(pod.getMetadata().getName()).contains("TLS engine: BoringSSL");
        assertThat(log).as(pod.getMetadata().getName()).doesNotContain("WARNING");
        // BoringSSL from the image, not a copy in the pod's memory-backed /tmp; the node agent
        // with the AOT cache the image build trained (a stale one would not be mapped)
        String component = name.substring("lambda-cntr-".length());
        List<String> mapped = mappedFiles(hostJavaPid(pod));
        assertThat(mapped)
            .as(pod.getMetadata().getName())
            .anyMatch(
                path ->
                    path.startsWith(
                        "/opt/lambda-cntr/lib/" + component + "/native/libnetty_tcnative"))
            .noneMatch(path -> path.contains("libnetty_tcnative") && path.startsWith("/tmp/"));
        if (component.equals("node-agent")) {
          assertThat(mapped)
              .as(pod.getMetadata().getName())
              .contains("/opt/lambda-cntr/lib/lambda-cntr-node-agent.aot");
        }
      }
    }
  }

  /** The host's PID of the JVM in a pod's (only) container: the process in its cgroup. */
  private static long hostJavaPid(Pod pod) {
    String id =
        pod.getStatus().getContainerStatuses().get(0).getContainerID().replaceFirst(".*://", "");
    try (var procs = Files.list(Path.of("/proc"))) {
      for (Path proc : procs.filter(p -> p.getFileName().toString().matches("[0-9]+")).toList()) {
        try {
          if (Files.readString(proc.resolve("cgroup")).contains(id)
              && Files.readString(proc.resolve("comm")).strip().equals("java")) {
            return Long.parseLong(proc.getFileName().toString());
          }
        } catch (IOException gone) {
          // a process that ended while the list was read
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new AssertionError("no java process in the cgroup of container " + id);
  }

  /** The files a process has mapped, as /proc/PID/maps names them. */
  private static List<String> mappedFiles(long pid) {
    try {
      return Files.readAllLines(Path.of("/proc", Long.toString(pid), "maps")).stream()
          .map(line -> line.replaceFirst("^(\\S+\\s+){5}", "").strip())
          .filter(path -> path.startsWith("/"))
          .distinct()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void executeDashLFansOutThroughTheGateway() {
    LambdaCntr.Result r =
        admin.run(
            new byte[0],
            admin.session(
                "execute",
                List.of("--mode", "server", "-v", "-l", "fan=out"),
                List.of(),
                List.of("sh", "-c", "echo in-$(hostname)")));
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.stderr()).as(r.toString()).contains("mode: server");
    for (String node : List.of(cluster.firstNode(), cluster.secondNode())) {
      assertThat(r.stdout()).as(r.toString()).contains("in-fan-" + node);
    }
    // no direct-mode agent was made for it
    assertThat(cluster.client().pods().inNamespace(admin.agentNamespace()).list().getItems())
        .isEmpty();
  }

  @Test
  void devAForwardsAPortOfTheirSessionWithTheirOwnRights() throws IOException {
    int local = RemoteDebuggerIT.freePort();
    try (RunningCli session =
        RunningCli.start(
            devA,
            devA.session(
                "execute",
                List.of("--mode", "server", "--port-forward", local + ":8080"),
                List.of("target"),
                List.of(
                    "sh",
                    "-c",
                    "mkdir -p /tmp/www && echo forwarded-by-dev-a > /tmp/www/index.html && cd"
                        + " /tmp/www && exec python3 -m http.server --bind 127.0.0.1 8080")))) {
      session.awaitLine(
          "saying it forwards", l -> l.contains(" -> 8080 in pod "), Duration.ofMinutes(1));
      StringBuilder last = new StringBuilder();
      TestCluster.eventually(
          Duration.ofSeconds(60),
          "the session's HTTP server through the forwarded port",
          () -> {
            last.setLength(0);
            last.append(httpGet(local));
            return last.toString().contains("forwarded-by-dev-a");
          },
          () -> last + "\n" + session);
      assertThat(session.stderr()).doesNotContain("Exception");
    }
  }

  @Test
  void debugGdbserverInServerMode() throws Exception {
    int local = RemoteDebuggerIT.freePort();
    try (RunningCli debug =
        RunningCli.start(
            devA,
            devA.session(
                "debug",
                List.of("--mode", "server", "--gdbserver", "--local-port", Integer.toString(local)),
                List.of("target"),
                List.of()))) {
      debug.awaitLine(
          "with the connect command", l -> l.contains("connect with:"), Duration.ofMinutes(2));
      debug.awaitLine(
          "from gdbserver saying it listens",
          l -> l.contains("Listening on port 2345"),
          Duration.ofMinutes(1));
      Process gdb =
          new ProcessBuilder(
                  "gdb",
                  "-batch",
                  "-nx",
                  "-ex",
                  "set remote hostio-setfs-packet off",
                  "-ex",
                  "set sysroot target:/proc/1/root",
                  "-ex",
                  "target remote localhost:" + local,
                  "-ex",
                  "info registers rip",
                  "-ex",
                  "detach")
              .redirectErrorStream(true)
              .start();
      String out = new String(gdb.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(gdb.waitFor(60, TimeUnit.SECONDS)).as(out).isTrue();
      assertThat(out).as(out).contains("rip").contains("[Inferior 1 (process 1) detached]");
    }
  }

  @Test
  void theAuditLogNamesDevAForTheGatewaysSubresource() throws IOException {
    Path log = Path.of(System.getenv().getOrDefault("LAMBDA_CNTR_E2E_AUDIT_LOG", AUDIT_LOG));
    if (!Files.isReadable(log)) {
      E2eSettings.unavailable("no API server audit log at " + log + " (LAMBDA_CNTR_E2E_AUDIT_LOG)");
    }
    LambdaCntr.Result r =
        devA.execute(List.of("--mode", "server"), List.of("target"), "echo", "audited");
    assertThat(r.exit()).as(r.toString()).isZero();
    List<String> wanted =
        List.of(
            "\"username\":\"" + USER + "\"",
            "\"namespace\":\"" + allowed.name() + "\"",
            "\"name\":\"target\"",
            "\"apiGroup\":\"cntr.lambda-cntr.dev\"",
            "\"subresource\":\"exec\"");
    TestCluster.eventually(
        Duration.ofSeconds(20),
        "an audit entry naming " + USER + " for pods/exec of cntr.lambda-cntr.dev",
        () -> {
          try {
            return Files.readAllLines(log).stream()
                .anyMatch(l -> wanted.stream().allMatch(l::contains));
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        },
        () -> "no line with all of " + wanted + " in " + log);
  }

  @Test
  void deletingTheGatewayReplicaOfASessionEndsItWith76AndTheOtherReplicaServesAtOnce() {
    RunningCli session =
        RunningCli.start(
            admin,
            admin.session(
                "execute",
                List.of("--mode", "server"),
                List.of("gw-fault"),
                List.of("sleep", "301")));
    try {
      String opened = "session opened: ";
      String ref = allowed.name() + "/gw-fault";
      StringBuilder serving = new StringBuilder();
      TestCluster.eventually(
          Duration.ofMinutes(2),
          "the gateway replica logging the session",
          () -> {
            for (Pod p : gatewayPods()) {
              String log =
                  cluster
                      .client()
                      .pods()
                      .inNamespace(INSTALL_NS)
                      .withName(p.getMetadata().getName())
                      .getLog();
              if (log.lines().anyMatch(l -> l.contains(opened) && l.contains(ref))) {
                serving.append(p.getMetadata().getName());
                return true;
              }
            }
            return false;
          },
          session::toString);
      awaitSessionProcess("gw-fault", Duration.ofSeconds(30), session);
      cluster.client().pods().inNamespace(INSTALL_NS).withName(serving.toString()).delete();
      int exit = session.awaitExit(Duration.ofSeconds(60));
      assertThat(exit).as(session.toString()).isEqualTo(76);
      assertThat(session.stderr()).as(session.toString()).contains("session lost");
      // at once, through the other replica: the deleted one is out of the Service's endpoints
      LambdaCntr.Result next =
          admin.execute(List.of("--mode", "server"), List.of("gw-fault"), "echo", "next");
      assertThat(next.exit()).as(next.toString()).isZero();
      assertThat(next.stdout()).isEqualTo("next\n");
      awaitNoSessionProcess("gw-fault", "after the gateway replica's deletion");
      gatewayFaultTarget.assertUnchanged();
    } finally {
      session.kill();
      awaitServerModeReady();
    }
  }

  @Test
  void deletingTheNodeAgentMidSessionLeavesNoProcessOrMountAndItComesBack() throws IOException {
    List<String> mountsBefore = hostMounts();
    RunningCli session =
        RunningCli.start(
            admin,
            admin.session(
                "execute",
                List.of("--mode", "server"),
                List.of("agent-fault"),
                List.of("sleep", "302")));
    try {
      awaitSessionProcess("agent-fault", Duration.ofMinutes(2), session);
      String node = agentFaultTarget.node();
      Pod agent =
          cluster
              .client()
              .pods()
              .inNamespace(INSTALL_NS)
              .withLabel("app.kubernetes.io/name", "lambda-cntr-node-agent")
              .list()
              .getItems()
              .stream()
              .filter(p -> node.equals(p.getSpec().getNodeName()))
              .findFirst()
              .orElseThrow();
      cluster
          .client()
          .pods()
          .inNamespace(INSTALL_NS)
          .withName(agent.getMetadata().getName())
          .delete();
      int exit = session.awaitExit(Duration.ofSeconds(90));
      assertThat(exit).as(session.toString()).isNotZero();
      assertThat(session.stderr()).as(session.toString()).contains("lambda-cntr:");
      awaitNoSessionProcess("agent-fault", "after the node agent's deletion");
      assertThat(hostMounts()).as("the node's mounts of lambda-cntr").isEqualTo(mountsBefore);
      agentFaultTarget.assertUnchanged();
      awaitServerModeReady();
      LambdaCntr.Result next =
          admin.execute(List.of("--mode", "server"), List.of("agent-fault"), "echo", "next");
      assertThat(next.exit()).as(next.toString()).isZero();
      assertThat(next.stdout()).isEqualTo("next\n");
    } finally {
      session.kill();
      awaitServerModeReady();
    }
  }

  private static List<Pod> gatewayPods() {
    return cluster
        .client()
        .pods()
        .inNamespace(INSTALL_NS)
        .withLabel("app.kubernetes.io/name", "lambda-cntr-gateway")
        .list()
        .getItems();
  }

  /** Until status says all is ready (replicas and agents replaced after a fault). */
  private static void awaitServerModeReady() {
    StringBuilder last = new StringBuilder();
    TestCluster.eventually(
        Duration.ofMinutes(3),
        "server mode ready again",
        () -> {
          LambdaCntr.Result r = admin.run("status");
          last.setLength(0);
          last.append(r);
          return r.exit() == 0;
        },
        last::toString);
  }

  private static String processes(String pod) {
    return cluster.exec(allowed.name(), pod, "main", "sh", "-c", HostilePodIT.HUNT);
  }

  /** Waits until a session's program runs in POD (its helper, seen from the pod). */
  private static void awaitSessionProcess(String pod, Duration timeout, RunningCli session) {
    TestCluster.eventually(
        timeout,
        "the session in pod " + pod,
        () -> processes(pod).contains(SESSION_COMM),
        session::toString);
  }

  /** Waits until no process of a session is left in POD. */
  private static void awaitNoSessionProcess(String pod, String when) {
    TestCluster.eventually(
        Duration.ofSeconds(30),
        "no session process left in pod " + pod + " " + when,
        () -> !processes(pod).contains(SESSION_COMM),
        () -> processes(pod));
  }

  /**
   * This machine's mounts that name lambda-cntr, outside the test bed's own directories (the test
   * bed's nodes run here: a session's mount left in the host's namespace would show).
   */
  private static List<String> hostMounts() throws IOException {
    return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
        .filter(l -> l.contains("cntr") && !l.contains("lambda-cntr-testbed"))
        .map(l -> l.replaceFirst("^\\d+ \\d+ ", ""))
        .sorted()
        .toList();
  }

  private static String httpGet(int port) {
    try (java.net.Socket s = new java.net.Socket()) {
      s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 5_000);
      s.setSoTimeout(5_000);
      s.getOutputStream()
          .write("GET / HTTP/1.0\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return e.toString();
    }
  }

  /**
   * dev-a: lambda-cntr-debugger, create pods/exec and pods/portforward (with get pods) in {@code
   * namespace}.
   */
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
                // port forwards go through the core pods/portforward with the user's rights
                // (manifests/server/debugger-role.yaml), as kubectl port-forward does
                .addNewRule()
                .withApiGroups("")
                .withResources("pods/portforward")
                .withVerbs("create", "get")
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
