package dev.lambdacntr.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A serverless-style target (a Deployment that scales) while a session is attached: the attached
 * pod is the one kept when the Deployment scales down, evictions are refused, every mark is gone
 * after the session (also when the CLI is killed with SIGKILL), and a scale to zero ends the
 * session with a message that says so.
 */
@Tag("runtime-core") // also on each node of another runtime (scripts/e2e)
class ServerlessProtectionIT {

  static final String COST = "controller.kubernetes.io/pod-deletion-cost";
  static final String SAFE_TO_EVICT = "cluster-autoscaler.kubernetes.io/safe-to-evict";
  static final String STATE = "lambda-cntr.dev/protection";
  static final String LABEL = "lambda-cntr.dev/protected";
  static final ResourceDefinitionContext PDB =
      new ResourceDefinitionContext.Builder()
          .withGroup("policy")
          .withVersion("v1")
          .withKind("PodDisruptionBudget")
          .withPlural("poddisruptionbudgets")
          .withNamespaced(true)
          .build();

  static TestCluster cluster;
  static KubernetesClient client;
  static E2eNamespace namespace;
  static LambdaCntr lambdaCntr;

  @BeforeAll
  static void start() {
    cluster = TestCluster.get();
    client = cluster.client();
    namespace = cluster.namespace("serverless");
    lambdaCntr =
        new LambdaCntr(
            cluster.settings(), namespace.name(), namespace.agentNamespace("serverless"));
  }

  @AfterAll
  static void cleanUp() {
    if (namespace != null) {
      namespace.close();
    }
  }

  @BeforeEach
  void deployThreeReplicas() {
    Deployment d =
        new DeploymentBuilder()
            .withNewMetadata()
            .withName("fn")
            .endMetadata()
            .withNewSpec()
            .withReplicas(3)
            .withNewSelector()
            .addToMatchLabels("app", "fn")
            .endSelector()
            .withNewTemplate()
            .withNewMetadata()
            .addToLabels("app", "fn")
            .endMetadata()
            .withNewSpec()
            // all on the suite's first node: in a runtime pass (scripts/e2e) that is the node of
            // the runtime under test, which admits only pods that tolerate its taint
            .addToNodeSelector("kubernetes.io/hostname", cluster.firstNode())
            .addNewToleration()
            .withOperator("Exists")
            .withEffect("NoSchedule")
            .endToleration()
            .withTerminationGracePeriodSeconds(2L)
            .addNewContainer()
            .withName("fn")
            .withImage(cluster.settings().busyboxImage())
            .withImagePullPolicy("IfNotPresent")
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    client.apps().deployments().inNamespace(namespace.name()).resource(d).createOr(c -> c.update());
    scale(3);
    TestCluster.eventually(
        TestCluster.POD_START,
        "3 ready replicas",
        () -> live().size() == 3 && live().stream().allMatch(TestCluster::isReady),
        () -> live().toString());
  }

  private void scale(int replicas) {
    client.apps().deployments().inNamespace(namespace.name()).withName("fn").scale(replicas);
  }

  /** The Deployment's pods that are not being deleted. */
  private List<Pod> live() {
    return client
        .pods()
        .inNamespace(namespace.name())
        .withLabel("app", "fn")
        .list()
        .getItems()
        .stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .toList();
  }

  private Pod pod(String name) {
    return client.pods().inNamespace(namespace.name()).withName(name).get();
  }

  /**
   * The pod the ReplicaSet would remove first without protection: ranked as the controller does
   * (after readiness: pods sharing a node first, then the most recently ready).
   */
  private Pod firstToGo() {
    List<Pod> pods = live();
    Map<String, Long> perNode =
        pods.stream()
            .collect(
                java.util.stream.Collectors.groupingBy(
                    p -> p.getSpec().getNodeName(), java.util.stream.Collectors.counting()));
    return pods.stream()
        .max(
            Comparator.<Pod>comparingLong(p -> perNode.get(p.getSpec().getNodeName()))
                .thenComparing(p -> p.getMetadata().getCreationTimestamp()))
        .orElseThrow();
  }

  private RunningCli attach(String pod) {
    return RunningCli.start(
        lambdaCntr, lambdaCntr.session("attach", List.of(), List.of(pod), List.of()));
  }

  private void awaitMarked(String name, RunningCli session) {
    TestCluster.eventually(
        Duration.ofMinutes(3),
        "pod " + name + " marked",
        () -> {
          Pod p = pod(name);
          return p != null && "2147483647".equals(annotations(p).get(COST)) && budget(name) != null;
        },
        () -> pod(name).getMetadata() + "\n" + session);
    Pod p = pod(name);
    assertThat(annotations(p)).containsEntry(SAFE_TO_EVICT, "false").containsKey(STATE);
    assertThat(p.getMetadata().getLabels()).containsEntry(LABEL, p.getMetadata().getUid());
  }

  private void awaitUnmarked(String name, Duration within, Object context) {
    TestCluster.eventually(
        within,
        "every mark removed from " + name,
        () -> {
          Pod p = pod(name);
          return p == null
              || (!annotations(p).containsKey(COST)
                  && !annotations(p).containsKey(SAFE_TO_EVICT)
                  && !annotations(p).containsKey(STATE)
                  && !Objects.requireNonNullElse(p.getMetadata().getLabels(), Map.of())
                      .containsKey(LABEL)
                  && budget(name) == null);
        },
        () -> pod(name).getMetadata() + "\n" + context);
  }

  private static Map<String, String> annotations(Pod p) {
    return Objects.requireNonNullElse(p.getMetadata().getAnnotations(), Map.of());
  }

  private GenericKubernetesResource budget(String pod) {
    return client
        .genericKubernetesResources(PDB)
        .inNamespace(namespace.name())
        .withName("lambda-cntr-" + pod)
        .get();
  }

  /** POSTs an Eviction for the pod (what a drain does); returns the HTTP status. */
  private int evict(String pod) throws Exception {
    String url =
        client.getConfiguration().getMasterUrl().replaceAll("/$", "")
            + "/api/v1/namespaces/"
            + namespace.name()
            + "/pods/"
            + pod
            + "/eviction";
    String body =
        "{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\""
            + pod
            + "\",\"namespace\":\""
            + namespace.name()
            + "\"}}";
    HttpRequest request =
        client
            .getHttpClient()
            .newHttpRequestBuilder()
            .uri(url)
            .post("application/json", body)
            .build();
    HttpResponse<String> response = client.getHttpClient().sendAsync(request, String.class).get();
    return response.code();
  }

  @Test
  void scaleDownKeepsTheAttachedPodAndEvictionIsRefusedThenDetachRemovesEveryMark()
      throws Exception {
    String attached = firstToGo().getMetadata().getName();
    try (RunningCli session = attach(attached)) {
      session.write("echo attached-$((20+22))\n");
      session.awaitLine("from the shell", l -> l.contains("attached-42"), Duration.ofMinutes(3));
      awaitMarked(attached, session);

      // the budget's status is kept by the disruption controller: no disruption allowed
      TestCluster.eventually(
          Duration.ofSeconds(60),
          "the budget's status",
          () -> {
            GenericKubernetesResource b = budget(attached);
            Object status = b.getAdditionalProperties().get("status");
            return status instanceof Map<?, ?> s
                && Integer.valueOf(0).equals(s.get("disruptionsAllowed"))
                && Integer.valueOf(1).equals(s.get("currentHealthy"));
          },
          () -> String.valueOf(budget(attached)));
      assertThat(evict(attached)).as("status of an eviction of the attached pod").isEqualTo(429);

      scale(2);
      TestCluster.eventually(
          Duration.ofSeconds(60),
          "2 replicas left",
          () -> live().size() == 2,
          () -> live().toString());
      TestCluster.sleep(Duration.ofSeconds(2));
      assertThat(live().stream().map(p -> p.getMetadata().getName())).contains(attached);
      session.write("echo still-$((40+2))\n");
      session.awaitLine(
          "from the shell after the scale-down",
          l -> l.contains("still-42"),
          Duration.ofSeconds(30));

      session.closeStdin();
      assertThat(session.awaitExit(Duration.ofSeconds(60))).as(session.toString()).isZero();
      awaitUnmarked(attached, Duration.ofSeconds(10), session);
    }
  }

  @Test
  void aKilledClientsMarksAreRemovedByItsGuardian() {
    String attached = live().get(0).getMetadata().getName();
    try (RunningCli session = attach(attached)) {
      session.write("echo attached-$((20+22))\n");
      session.awaitLine("from the shell", l -> l.contains("attached-42"), Duration.ofMinutes(3));
      awaitMarked(attached, session);
      session.kill();
      session.awaitExit(Duration.ofSeconds(30));
      awaitUnmarked(attached, Duration.ofSeconds(60), session);
    }
  }

  @Test
  void scaleToZeroEndsTheSessionWithAMessageSayingSo() {
    String attached = live().get(0).getMetadata().getName();
    try (RunningCli session = attach(attached)) {
      session.write("echo attached-$((20+22))\n");
      session.awaitLine("from the shell", l -> l.contains("attached-42"), Duration.ofMinutes(3));
      awaitMarked(attached, session);
      scale(0);
      int status = session.awaitExit(Duration.ofSeconds(90));
      assertThat(status).as(session.toString()).isEqualTo(77);
      assertThat(session.stderr())
          .as(session.toString())
          .contains(
              "lambda-cntr: the session ended because its target went away: pod "
                  + namespace.name()
                  + "/"
                  + attached
                  + " was deleted")
          .doesNotContainIgnoringCase("broken pipe")
          .doesNotContain("Exception");
    }
  }
}
