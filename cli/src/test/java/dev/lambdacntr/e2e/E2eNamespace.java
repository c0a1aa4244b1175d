package dev.lambdacntr.e2e;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One test class's own namespaces: {@code lcntr-e2e-PURPOSE-RANDOM} for its targets, plus agent
 * namespaces ({@code --agent-namespace}) of its own, so that no test sees another's agents and the
 * order of the tests does not matter. {@link #close} deletes them all (with their pods and Jobs),
 * also after a failure, and a shutdown hook does if the JVM ends first.
 */
final class E2eNamespace implements AutoCloseable {

  /** The label on every namespace the suite creates: {@code kubectl delete ns -l ...}. */
  static final String LABEL = "lambda-cntr.dev/e2e";

  /**
   * The label naming the run ({@code LAMBDA_CNTR_E2E_RUN}, set by scripts/e2e), by which the script
   * deletes what a killed test JVM could not.
   */
  static final String RUN_LABEL = "lambda-cntr.dev/e2e-run";

  private final KubernetesClient client;
  private final String name;
  private final List<String> created = new ArrayList<>();
  private final Thread hook;

  private E2eNamespace(KubernetesClient client, String name) {
    this.client = client;
    this.name = name;
    this.hook = new Thread(this::deleteAll, "e2e-delete-" + name);
  }

  static E2eNamespace create(KubernetesClient client, String purpose) {
    String suffix = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(3);
    E2eNamespace ns = new E2eNamespace(client, "lcntr-e2e-" + purpose + "-" + suffix);
    Runtime.getRuntime().addShutdownHook(ns.hook);
    ns.createNamespace(ns.name);
    return ns;
  }

  /** The targets' namespace. */
  String name() {
    return name;
  }

  /**
   * A namespace name for agents, not created: the CLI creates it (labelled for PodSecurity) the
   * first time it needs an agent there. Deleted by {@link #close}.
   */
  synchronized String agentNamespace(String purpose) {
    String agents = name + "-ag-" + purpose;
    created.add(agents);
    return agents;
  }

  private synchronized void createNamespace(String namespace) {
    Namespace object =
        new NamespaceBuilder()
            .withNewMetadata()
            .withName(namespace)
            .addToLabels(LABEL, "true")
            .addToLabels(runLabel())
            .endMetadata()
            .build();
    client.namespaces().resource(object).create();
    created.add(namespace);
  }

  private static Map<String, String> runLabel() {
    String run = System.getenv("LAMBDA_CNTR_E2E_RUN");
    return run == null || run.isBlank() ? Map.of() : Map.of(RUN_LABEL, run);
  }

  /**
   * A target pod pinned to a node, one container {@code main} running the image's own command (the
   * busybox target sleeps and stops at once on SIGTERM; the distroless one serves HTTP on 8080).
   */
  static Pod target(String name, String node, String image) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .addToLabels("app", name)
        .endMetadata()
        .withNewSpec()
        .withNodeName(node)
        .withTerminationGracePeriodSeconds(2L)
        .addNewContainer()
        .withName("main")
        .withImage(image)
        .withImagePullPolicy("IfNotPresent")
        .endContainer()
        .endSpec()
        .build();
  }

  @Override
  public void close() {
    deleteAll();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // already shutting down: the hook runs (and finds nothing left to delete)
    }
  }

  private synchronized void deleteAll() {
    for (String namespace : created) {
      try {
        client.namespaces().withName(namespace).delete();
      } catch (KubernetesClientException e) {
        // gone already, or never created by the CLI
      }
    }
    created.clear();
  }
}
