package dev.lambdacntr.cli.status;

import dev.lambdacntr.cli.install.ServerReadiness;
import java.util.List;

/**
 * Server mode as read from the cluster, for {@code lambda-cntr status}: the three objects {@code
 * install} waits for, the gateway's and the node agents' pods, and direct mode's agent pods.
 *
 * @param namespace the namespace server mode is installed in
 * @param observed the Deployment, the DaemonSet and the APIService (empty when not found)
 * @param gatewayPods the gateway's pods
 * @param nodeAgentPods the node agents' pods
 * @param agentNamespace the namespace of direct mode's agents
 * @param directAgents direct mode's agent pods there
 */
public record ServerStatus(
    String namespace,
    ServerReadiness.Observed observed,
    List<PodState> gatewayPods,
    List<PodState> nodeAgentPods,
    String agentNamespace,
    List<PodState> directAgents) {

  /**
   * One pod.
   *
   * @param name its name
   * @param node the node it runs on (empty when not scheduled)
   * @param ready whether its Ready condition is True
   * @param image its first container's image
   */
  public record PodState(String name, String node, boolean ready, String image) {}

  /** Installed: the APIService exists (the rest may still be missing or not ready). */
  public boolean installed() {
    return observed.apiService() != null && observed.apiService().isPresent();
  }
}
