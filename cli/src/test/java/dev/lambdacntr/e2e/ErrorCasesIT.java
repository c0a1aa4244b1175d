package dev.lambdacntr.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lambdacntr.protocol.ExitCode;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user gets when a session cannot be had: the promised message (object, operation, reason)
 * on stderr and the promised exit status, for targets that cannot be entered (refused before any
 * agent exists) and for an agent that cannot start (its image cannot be pulled: reported with the
 * kubelet's reason and removed, and the next session with a good image works).
 */
class ErrorCasesIT {

  static TestCluster cluster;
  static E2eNamespace namespace;
  static LambdaCntr lambdaCntr;
  static Target busybox;
  static String ns;

  @TempDir static Path dir;

  @BeforeAll
  static void start() {
    cluster = TestCluster.get();
    namespace = cluster.namespace("errors");
    ns = namespace.name();
    lambdaCntr = new LambdaCntr(cluster.settings(), ns, namespace.agentNamespace("refused"));
    String node = cluster.firstNode();
    String image = cluster.settings().busyboxImage();
    busybox = Target.busybox(cluster, ns, "busybox", node);

    // Two app containers and an init container.
    Pod pair =
        new PodBuilder(E2eNamespace.target("pair", node, image))
            .editSpec()
            .addNewInitContainer()
            .withName("setup")
            .withImage(image)
            .withImagePullPolicy("IfNotPresent")
            .withCommand("true")
            .endInitContainer()
            .addNewContainer()
            .withName("sidecar")
            .withImage(image)
            .withImagePullPolicy("IfNotPresent")
            .endContainer()
            .endSpec()
            .build();
    cluster.runReady(ns, pair);

    // A pod that runs, with a container that has ended (and is not restarted).
    Pod finished =
        new PodBuilder(E2eNamespace.target("finished", node, image))
            .editSpec()
            .withRestartPolicy("Never")
            .addNewContainer()
            .withName("done")
            .withImage(image)
            .withImagePullPolicy("IfNotPresent")
            .withCommand("sh", "-c", "exit 3")
            .endContainer()
            .endSpec()
            .build();
    cluster.client().pods().inNamespace(ns).resource(finished).create();
    cluster.await(
        ns,
        "finished",
        ErrorCasesIT::doneTerminated,
        "with container done ended",
        TestCluster.POD_START);

    // A pod no node can take: it stays Pending.
    Pod pending =
        new PodBuilder(E2eNamespace.target("pending", node, image))
            .editSpec()
            .withNodeName(null)
            .withNodeSelector(Map.of("lambda-cntr.dev/no-such-node", "true"))
            .endSpec()
            .build();
    cluster.client().pods().inNamespace(ns).resource(pending).create();
    cluster.await(
        ns,
        "pending",
        p ->
            p.getStatus().getConditions().stream()
                .anyMatch(c -> "PodScheduled".equals(c.getType()) && "False".equals(c.getStatus())),
        "found unschedulable",
        TestCluster.POD_START);
  }

  private static boolean doneTerminated(Pod pod) {
    List<ContainerStatus> statuses =
        Objects.requireNonNullElse(pod.getStatus().getContainerStatuses(), List.of());
    boolean mainRuns =
        statuses.stream()
            .anyMatch(s -> s.getName().equals("main") && s.getState().getRunning() != null);
    boolean doneEnded =
        statuses.stream()
            .anyMatch(s -> s.getName().equals("done") && s.getState().getTerminated() != null);
    return "Running".equals(pod.getStatus().getPhase()) && mainRuns && doneEnded;
  }

  @AfterAll
  static void targetUnchangedThenCleanUp() {
    try {
      if (busybox != null) {
        busybox.assertUnchanged();
      }
    } finally {
      if (namespace != null) {
        namespace.close();
      }
    }
  }

  /**
   * The run failed with {@code code} and one error line naming what failed; around it only progress
   * lines (a cold start's) or, for bad usage, the hint to {@code --help}: no stack trace.
   */
  private static void assertFailure(LambdaCntr.Result r, ExitCode code, String... messageParts) {
    assertThat(r.exit()).as(r.toString()).isEqualTo(code.code());
    assertThat(r.stdout()).as(r.toString()).isEmpty();
    List<String> errors = r.stderr().lines().filter(l -> l.startsWith("lambda-cntr: ")).toList();
    assertThat(errors).as("error lines of %s", r).hasSize(1);
    assertThat(errors.get(0)).as(r.toString()).contains(messageParts);
    assertThat(r.stderr().lines())
        .as("besides the error, only progress or usage hints: %s", r)
        .allMatch(
            l ->
                l.startsWith("lambda-cntr: ")
                    || l.matches("lambda-cntr \\[[0-9.]+s\\] .*")
                    || l.matches("Try 'lambda-cntr \\w+ --help'\\."));
  }

  /** Target errors come before any agent: none was created, not even its namespace. */
  private static void assertNoAgentWasCreated() {
    assertThat(cluster.client().namespaces().withName(lambdaCntr.agentNamespace()).get())
        .as("agent namespace " + lambdaCntr.agentNamespace())
        .isNull();
  }

  @Test
  void aMissingPodIsNamedWithCloseNames() {
    assertFailure(
        lambdaCntr.execute("busybx", "true"),
        ExitCode.POD_NOT_FOUND,
        "pod " + ns + "/busybx not found; did you mean busybox");
    assertNoAgentWasCreated();
  }

  @Test
  void aPodWithSeveralContainersNeedsOneNamed() {
    assertFailure(
        lambdaCntr.execute("pair", "true"),
        ExitCode.CONTAINER_AMBIGUOUS,
        "pod " + ns + "/pair has 2 containers; name one of: main, sidecar");
    assertFailure(
        lambdaCntr.execute(List.of(), List.of("pair", "nope"), "true"),
        ExitCode.CONTAINER_NOT_FOUND,
        "pod " + ns + "/pair has no container nope; its containers: main, sidecar");
    assertFailure(
        lambdaCntr.execute(List.of(), List.of("pair", "setup"), "true"),
        ExitCode.CONTAINER_UNSUPPORTED,
        "setup is an init container of pod " + ns + "/pair");
    assertNoAgentWasCreated();
  }

  @Test
  void aContainerThatIsNotRunningIsRefusedWithItsState() {
    assertFailure(
        lambdaCntr.execute(List.of(), List.of("finished", "done"), "true"),
        ExitCode.CONTAINER_NOT_RUNNING,
        "container done of pod " + ns + "/finished has terminated: exit code 3 (Error)");
    assertFailure(
        lambdaCntr.execute("pending", "true"),
        ExitCode.POD_NOT_RUNNING,
        "pod " + ns + "/pending is Pending",
        "Unschedulable");
    assertNoAgentWasCreated();
  }

  @Test
  void badUsageAndAMissingKubeconfigAreToldApart() throws IOException {
    assertFailure(
        lambdaCntr.execute(List.of("--fs", "zfs"), List.of("busybox"), "true"),
        ExitCode.USAGE,
        "'zfs': expected auto, mount or fuse");
    Path missing = dir.resolve("no-such-kubeconfig");
    assertFailure(
        lambdaCntr
            .withEnvironment(Map.of("KUBECONFIG", missing.toString()))
            .execute("busybox", "true"),
        ExitCode.NO_CLUSTER_CONFIG,
        "no kubeconfig: " + missing + " does not exist");
    Path unreachable = dir.resolve("unreachable-kubeconfig");
    Files.writeString(
        unreachable,
        """
        apiVersion: v1
        kind: Config
        clusters: [{name: gone, cluster: {server: "https://127.0.0.1:9", insecure-skip-tls-verify: true}}]
        users: [{name: someone, user: {token: not-a-token}}]
        contexts: [{name: gone, context: {cluster: gone, user: someone}}]
        current-context: gone
        """);
    assertFailure(
        lambdaCntr
            .withEnvironment(Map.of("KUBECONFIG", unreachable.toString()))
            .execute("busybox", "true"),
        ExitCode.CLUSTER_UNREACHABLE,
        "https://127.0.0.1:9");
    assertNoAgentWasCreated();
  }

  // the agent Job the CLI starts; server mode's node agents are install's
  @Test
  @Tag("direct-only")
  void anAgentImageThatCannotBePulledIsReportedAndItsAgentRemoved() {
    LambdaCntr pulling = new LambdaCntr(cluster.settings(), ns, namespace.agentNamespace("pull"));
    String agents = pulling.agentNamespace();
    String image = "ghcr.io/lambda-cntr/no-such-image:0.0.0";

    LambdaCntr.Result r = pulling.execute(List.of("-i", image), List.of("busybox"), "true");
    assertFailure(
        r,
        ExitCode.AGENT_FAILED,
        "agent pod " + agents + "/lambda-cntr-agent-" + busybox.node(),
        " on node " + busybox.node() + " failed: ",
        image,
        "; removed it");
    assertThat(r.stderr().toLowerCase(java.util.Locale.ROOT)).as(r.toString()).contains("pull");
    TestCluster.eventually(
        Duration.ofSeconds(60),
        "the broken agent's Job and pod removed",
        () ->
            cluster.client().pods().inNamespace(agents).list().getItems().isEmpty()
                && cluster
                    .client()
                    .batch()
                    .v1()
                    .jobs()
                    .inNamespace(agents)
                    .list()
                    .getItems()
                    .isEmpty(),
        () -> "pods " + cluster.client().pods().inNamespace(agents).list().getItems());

    // Nothing broken was left: the next session, with the right image, gets a working agent.
    LambdaCntr.Result good = pulling.execute("busybox", "echo", "works");
    assertThat(good.exit()).as(good.toString()).isZero();
    assertThat(good.stdout()).isEqualTo("works\n");
  }
}
