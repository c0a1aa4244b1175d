package dev.lambdacntr.e2e;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.Optional;

/**
 * A pod with the debug image's curl that knocks at the node agents' port from inside the cluster:
 * what any other pod could try. {@link #get} answers {@code http=CODE rc=N}: a refused TLS
 * handshake gives {@code http=000} and curl's non-zero status, no request read.
 */
final class AgentPortProbe {

  private AgentPortProbe() {}

  /** The probe pod named {@code name} on {@code node}, sleeping until it is deleted. */
  static PodBuilder pod(TestCluster cluster, String name, String node) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .withNodeName(node)
        .withTerminationGracePeriodSeconds(1L)
        .addNewContainer()
        .withName("main")
        .withImage(cluster.settings().debugImage())
        .withImagePullPolicy("IfNotPresent")
        .withCommand("sleep", "600")
        .endContainer()
        .endSpec();
  }

  /** The node agent's health URL on its pod's address. */
  static String healthz(Pod agent) {
    return "https://" + agent.getStatus().getPodIP() + ":10251/healthz";
  }

  /**
   * curl of {@code url} from the probe, with the client certificate {@code certDir}/tls.crt and its
   * key when given.
   */
  static String get(
      TestCluster cluster, String namespace, String probe, String url, Optional<String> certDir) {
    String cert = certDir.map(d -> "--cert " + d + "/tls.crt --key " + d + "/tls.key ").orElse("");
    return cluster.exec(
        namespace,
        probe,
        "main",
        "sh",
        "-c",
        "curl -sk -m 5 " + cert + "-o /dev/null -w 'http=%{http_code} ' " + url + "; echo rc=$?");
  }
}
