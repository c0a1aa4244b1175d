package dev.lambdacntr.e2e;

import static org.junit.jupiter.api.Assertions.fail;

import dev.lambdacntr.cli.Environment;
import dev.lambdacntr.cli.kube.ClusterConnection;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The test's own view of the cluster (a fabric8 client on the same kubeconfig as the CLI): it
 * creates the targets, waits for them, and checks from the outside what the CLI did.
 */
final class TestCluster {

  static final Duration POD_START = Duration.ofMinutes(2);

  private static TestCluster shared;

  private final E2eSettings settings;
  private final KubernetesClient client;
  private final List<String> nodes;

  private TestCluster(E2eSettings settings, KubernetesClient client, List<String> nodes) {
    this.settings = settings;
    this.client = client;
    this.nodes = nodes;
  }

  /** The cluster of {@code KUBECONFIG}, connected once per test run. */
  static synchronized TestCluster get() {
    if (shared == null) {
      E2eSettings settings = E2eSettings.fromEnvironment();
      ClusterConnection connection =
          ClusterConnection.open(Optional.empty(), Optional.empty(), Environment.system());
      KubernetesClient client = connection.client();
      String server = client.getConfiguration().getMasterUrl();
      try {
        client.getKubernetesVersion();
      } catch (RuntimeException e) {
        E2eSettings.unavailable("the cluster at " + server + " does not answer: " + e.getMessage());
      }
      shared = new TestCluster(settings, client, nodes(settings, client));
    }
    return shared;
  }

  private static List<String> nodes(E2eSettings settings, KubernetesClient client) {
    if (!settings.nodes().isEmpty()) {
      return settings.nodes();
    }
    return client.nodes().list().getItems().stream()
        .filter(n -> !Boolean.TRUE.equals(n.getSpec().getUnschedulable()))
        .filter(TestCluster::isReady)
        .map(n -> n.getMetadata().getName())
        .sorted()
        .toList();
  }

  private static boolean isReady(Node node) {
    List<NodeCondition> conditions =
        Objects.requireNonNullElse(node.getStatus().getConditions(), List.of());
    return conditions.stream()
        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  E2eSettings settings() {
    return settings;
  }

  KubernetesClient client() {
    return client;
  }

  /** The first node the suite uses. */
  String firstNode() {
    if (nodes.isEmpty()) {
      fail("the cluster has no schedulable Ready node");
    }
    return nodes.get(0);
  }

  /** The container runtime of {@code node} as the kubelet reports it: containerd, docker, cri-o. */
  String runtimeOf(String node) {
    String version =
        client.nodes().withName(node).get().getStatus().getNodeInfo().getContainerRuntimeVersion();
    return version.substring(0, Math.max(0, version.indexOf("://")));
  }

  /** The second node: skipped (failed when {@code CI=true}) on a cluster with one node. */
  String secondNode() {
    if (nodes.size() < 2) {
      E2eSettings.unavailable(
          "this test needs two schedulable Ready nodes; the cluster has " + nodes);
    }
    return nodes.get(1);
  }

  /** A new namespace for one test class, deleted with everything in it by {@code close()}. */
  E2eNamespace namespace(String purpose) {
    return E2eNamespace.create(client, purpose);
  }

  /** Creates the pod and waits until it is Ready, failing with its status and events if not. */
  Pod runReady(String namespace, Pod pod) {
    client.pods().inNamespace(namespace).resource(pod).create();
    String name = pod.getMetadata().getName();
    return await(namespace, name, TestCluster::isReady, "Ready", POD_START);
  }

  /** Polls the pod until {@code condition} holds; fails with its status and events otherwise. */
  Pod await(
      String namespace, String name, Predicate<Pod> condition, String what, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Pod pod = client.pods().inNamespace(namespace).withName(name).get();
      if (pod != null && condition.test(pod)) {
        return pod;
      }
      if (System.nanoTime() > deadline) {
        fail(
            "pod "
                + namespace
                + "/"
                + name
                + " not "
                + what
                + " after "
                + timeout.toSeconds()
                + "s: "
                + (pod == null ? "it does not exist" : pod.getStatus())
                + "; events: "
                + eventsAbout(namespace, name));
      }
      sleep(Duration.ofMillis(250));
    }
  }

  /**
   * The agent pod on {@code node} that serves {@code cli}'s sessions: its own agent (in its agent
   * namespace) in direct mode, the node agent of install's DaemonSet in server mode.
   */
  Pod servingAgent(LambdaCntr cli, String node) {
    var pods = client.pods().inNamespace(cli.servingAgentNamespace());
    List<Pod> agents =
        (settings.serverMode()
                ? pods.withLabel("app.kubernetes.io/name", "lambda-cntr-node-agent")
                : pods)
            .list().getItems().stream()
                .filter(p -> node.equals(p.getSpec().getNodeName()))
                .filter(TestCluster::isReady)
                .toList();
    if (agents.size() != 1) {
      fail(
          "expected one ready agent on "
              + node
              + " in "
              + cli.servingAgentNamespace()
              + ": "
              + agents.stream().map(p -> p.getMetadata().getName()).toList());
    }
    return agents.get(0);
  }

  static boolean isReady(Pod pod) {
    List<PodCondition> conditions =
        pod.getStatus() == null
            ? List.of()
            : Objects.requireNonNullElse(pod.getStatus().getConditions(), List.of());
    return conditions.stream()
        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** The reasons and messages of the events about an object, oldest first. */
  String eventsAbout(String namespace, String name) {
    return client.v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName()))
        .sorted(Comparator.comparing(e -> Objects.requireNonNullElse(e.getLastTimestamp(), "")))
        .map(e -> e.getReason() + ": " + e.getMessage())
        .collect(Collectors.joining("; ", "[", "]"));
  }

  /**
   * Runs a command in a container with the API's exec (what {@code kubectl exec} does): the view
   * from the target's own side, independent of lambda-cntr.
   */
  /** {@link #exec} in the first container of {@code pod}. */
  String exec(Pod pod, String... command) {
    return exec(
        pod.getMetadata().getNamespace(),
        pod.getMetadata().getName(),
        pod.getSpec().getContainers().get(0).getName(),
        command);
  }

  String exec(String namespace, String pod, String container, String... command) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try (ExecWatch watch =
        client
            .pods()
            .inNamespace(namespace)
            .withName(pod)
            .inContainer(container)
            .writingOutput(out)
            .writingError(err)
            .exec(command)) {
      int status = watch.exitCode().get(60, TimeUnit.SECONDS);
      if (status != 0) {
        fail(
            "exec "
                + String.join(" ", command)
                + " in "
                + namespace
                + "/"
                + pod
                + " ended with "
                + status
                + ": "
                + err.toString(StandardCharsets.UTF_8));
      }
    } catch (Exception e) {
      throw new AssertionError("exec in " + namespace + "/" + pod + " failed: " + e, e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** Polls {@code check} until it returns true; fails with {@code describe}'s text otherwise. */
  static void eventually(
      Duration timeout, String what, Supplier<Boolean> check, Supplier<String> describe) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!check.get()) {
      if (System.nanoTime() > deadline) {
        fail(what + " not within " + timeout.toSeconds() + "s: " + describe.get());
      }
      sleep(Duration.ofMillis(250));
    }
  }

  static void sleep(Duration duration) {
    try {
      Thread.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
