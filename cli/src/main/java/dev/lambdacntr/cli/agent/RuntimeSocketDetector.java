package dev.lambdacntr.cli.agent;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSystemInfo;
import java.util.Map;
import java.util.Optional;

/**
 * Decides which runtime socket the agent gets, from what the node says about itself. Pure: the
 * caller fetched the node (or could not, then only the container ID's runtime scheme is known).
 *
 * <p>Priority: {@code --socket-path}/{@code SOCKET_PATH}; the node annotation {@value
 * #KUBEADM_CRI_SOCKET}; the runtime named in {@code status.nodeInfo.containerRuntimeVersion} (or
 * the container ID's scheme) together with the distribution's hints (kubelet version {@code +k3s},
 * {@code +k0s}, MicroK8s labels).
 */
public final class RuntimeSocketDetector {

  public static final String KUBEADM_CRI_SOCKET = "kubeadm.alpha.kubernetes.io/cri-socket";

  static final String CONTAINERD = "/run/containerd/containerd.sock";
  static final String K3S = "/run/k3s/containerd/containerd.sock";
  static final String MICROK8S = "/var/snap/microk8s/common/run/containerd.sock";
  static final String K0S = "/run/k0s/containerd.sock";
  static final String CRIO = "/var/run/crio/crio.sock";
  static final String DOCKER = "/var/run/docker.sock";

  private RuntimeSocketDetector() {}

  /**
   * The socket for a node.
   *
   * @param override the user's {@code --socket-path} or {@code SOCKET_PATH}, with its origin
   * @param node the node, or empty when it could not be read
   * @param containerRuntime the runtime scheme of the target's container ID ({@code containerd},
   *     {@code cri-o}, {@code docker}), used when the node does not name one
   * @return the socket, or empty for a runtime whose socket is unknown (the agent then finds the
   *     target by scanning {@code /proc})
   */
  public static Optional<RuntimeSocket> detect(
      Optional<RuntimeSocket> override, Optional<Node> node, String containerRuntime) {
    if (override.isPresent()) {
      return override;
    }
    Optional<String> annotated =
        node.map(n -> n.getMetadata().getAnnotations())
            .map(a -> a.get(KUBEADM_CRI_SOCKET))
            .filter(s -> !s.isBlank());
    if (annotated.isPresent()) {
      return Optional.of(
          new RuntimeSocket(annotated.get(), "node annotation " + KUBEADM_CRI_SOCKET));
    }
    Optional<NodeSystemInfo> info = node.map(n -> n.getStatus()).map(s -> s.getNodeInfo());
    String runtime =
        info.map(NodeSystemInfo::getContainerRuntimeVersion)
            .map(RuntimeSocketDetector::scheme)
            .orElse(containerRuntime);
    String kubelet = info.map(NodeSystemInfo::getKubeletVersion).orElse("");
    Map<String, String> labels = node.map(n -> n.getMetadata().getLabels()).orElse(Map.of());
    return switch (runtime) {
      case "containerd" -> Optional.of(containerd(kubelet, labels));
      case "cri-o" -> Optional.of(new RuntimeSocket(CRIO, "CRI-O"));
      case "docker" -> Optional.of(new RuntimeSocket(DOCKER, "Docker"));
      default -> Optional.empty();
    };
  }

  private static RuntimeSocket containerd(String kubeletVersion, Map<String, String> labels) {
    if (kubeletVersion.contains("+k3s")) {
      return new RuntimeSocket(K3S, "containerd on K3s (kubelet " + kubeletVersion + ")");
    }
    if (kubeletVersion.contains("+k0s")) {
      return new RuntimeSocket(K0S, "containerd on k0s (kubelet " + kubeletVersion + ")");
    }
    if (labels.keySet().stream().anyMatch(k -> k.startsWith("microk8s.io/"))) {
      return new RuntimeSocket(MICROK8S, "containerd on MicroK8s (node label microk8s.io/...)");
    }
    return new RuntimeSocket(CONTAINERD, "containerd");
  }

  /** The part before {@code ://}: {@code containerd://1.7.2} is {@code containerd}. */
  public static String scheme(String uri) {
    int end = uri.indexOf("://");
    return end < 0 ? "" : uri.substring(0, end);
  }
}
