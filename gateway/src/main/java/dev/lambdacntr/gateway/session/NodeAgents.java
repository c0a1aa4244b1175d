package dev.lambdacntr.gateway.session;

import dev.lambdacntr.gateway.KubeCalls;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Finds the node agent serving a node: the ready pod on that node that DaemonSet {@value
 * #DAEMON_SET} in the gateway's namespace controls.
 */
public final class NodeAgents {

  public static final String DAEMON_SET = "lambda-cntr-node-agent";

  private final KubernetesClient client;
  private final String namespace;

  public NodeAgents(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  /** The node's agent pod; refuses with {@link ExitCode#AGENT_FAILED} when none is ready. */
  public Pod onNode(String node) {
    List<Pod> pods =
        KubeCalls.call(
            "list the node agents of node " + node + " in namespace " + namespace,
            () ->
                client
                    .pods()
                    .inNamespace(namespace)
                    .withField("spec.nodeName", node)
                    .list()
                    .getItems());
    return select(pods, namespace, node);
  }

  /** The ready agent among the pods of a node (the newest if several). Pure. */
  public static Pod select(List<Pod> pods, String namespace, String node) {
    List<Pod> agents = pods.stream().filter(NodeAgents::isAgent).toList();
    if (agents.isEmpty()) {
      throw new CntrException(
          ExitCode.AGENT_FAILED,
          "no node agent on node "
              + node
              + " (DaemonSet "
              + namespace
              + "/"
              + DAEMON_SET
              + " has no pod there)");
    }
    return agents.stream()
        .filter(NodeAgents::isReady)
        .max(Comparator.comparing(p -> p.getMetadata().getCreationTimestamp()))
        .orElseThrow(
            () ->
                new CntrException(
                    ExitCode.AGENT_FAILED,
                    "the node agent on node "
                        + node
                        + " is not ready: pod "
                        + namespace
                        + "/"
                        + agents.get(0).getMetadata().getName()
                        + " is "
                        + Optional.ofNullable(agents.get(0).getStatus())
                            .map(s -> s.getPhase())
                            .orElse("Unknown")));
  }

  private static boolean isAgent(Pod pod) {
    return pod.getMetadata().getOwnerReferences() != null
        && pod.getMetadata().getOwnerReferences().stream()
            .anyMatch(
                o ->
                    "DaemonSet".equals(o.getKind())
                        && DAEMON_SET.equals(o.getName())
                        && Boolean.TRUE.equals(o.getController()));
  }

  private static boolean isReady(Pod pod) {
    if (pod.getMetadata().getDeletionTimestamp() != null
        || pod.getStatus() == null
        || pod.getStatus().getPodIP() == null
        || !"Running".equals(pod.getStatus().getPhase())) {
      return false;
    }
    List<PodCondition> conditions =
        pod.getStatus().getConditions() == null ? List.of() : pod.getStatus().getConditions();
    return conditions.stream()
        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }
}
