package dev.lambdacntr.cli.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RuntimeSocketDetectorTest {

  static Node node(
      String runtime, String kubelet, Map<String, String> labels, Map<String, String> annotations) {
    return new NodeBuilder()
        .withNewMetadata()
        .withName("n")
        .withLabels(labels)
        .withAnnotations(annotations)
        .endMetadata()
        .withNewStatus()
        .withNewNodeInfo()
        .withContainerRuntimeVersion(runtime)
        .withKubeletVersion(kubelet)
        .endNodeInfo()
        .endStatus()
        .build();
  }

  static String detect(Node node) {
    return RuntimeSocketDetector.detect(Optional.empty(), Optional.of(node), "containerd")
        .map(RuntimeSocket::hostPath)
        .orElse("none");
  }

  @ParameterizedTest
  @CsvSource({
    "containerd://1.7.22, v1.34.4, /run/containerd/containerd.sock",
    "containerd://1.7.11-k3s2, v1.29.1+k3s2, /run/k3s/containerd/containerd.sock",
    "containerd://1.7.20, v1.30.4+k0s, /run/k0s/containerd.sock",
    "cri-o://1.30.1, v1.30.1, /var/run/crio/crio.sock",
    "docker://24.0.7, v1.28.2, /var/run/docker.sock",
    "remote://1.0, v1.30.1, none",
  })
  void runtimeAndDistributionPickTheSocket(String runtime, String kubelet, String socket) {
    assertThat(detect(node(runtime, kubelet, Map.of(), Map.of()))).isEqualTo(socket);
  }

  @Test
  void microk8sIsRecognisedByItsLabels() {
    Node n =
        node("containerd://1.6.28", "v1.29.2", Map.of("microk8s.io/cluster", "true"), Map.of());
    assertThat(detect(n)).isEqualTo("/var/snap/microk8s/common/run/containerd.sock");
  }

  @Test
  void theKubeadmAnnotationWinsOverGuesses() {
    Node n =
        node(
            "containerd://1.7.22",
            "v1.34.4",
            Map.of(),
            Map.of(
                RuntimeSocketDetector.KUBEADM_CRI_SOCKET,
                "unix:///var/run/containerd/containerd.sock"));
    RuntimeSocket s =
        RuntimeSocketDetector.detect(Optional.empty(), Optional.of(n), "containerd").orElseThrow();
    assertThat(s.hostPath()).isEqualTo("/var/run/containerd/containerd.sock");
    assertThat(s.origin()).isEqualTo("node annotation kubeadm.alpha.kubernetes.io/cri-socket");
  }

  @Test
  void theUsersPathWinsOverEverything() {
    Node n =
        node(
            "cri-o://1.30.1",
            "v1.30.1",
            Map.of(),
            Map.of(RuntimeSocketDetector.KUBEADM_CRI_SOCKET, "/x/y.sock"));
    RuntimeSocket mine = new RuntimeSocket("/custom/run/containerd.sock", "--socket-path");
    assertThat(RuntimeSocketDetector.detect(Optional.of(mine), Optional.of(n), "cri-o"))
        .contains(mine);
  }

  @Test
  void withoutTheNodeTheContainerIdsSchemeDecides() {
    assertThat(
            RuntimeSocketDetector.detect(Optional.empty(), Optional.empty(), "cri-o")
                .map(RuntimeSocket::hostPath))
        .contains("/var/run/crio/crio.sock");
  }

  @Test
  void theSocketsDirectoryIsMountedAndTheAgentGetsTheInPodPath() {
    RuntimeSocket s = new RuntimeSocket("unix:///run/k3s/containerd/containerd.sock", "x");
    assertThat(s.hostDirectory()).isEqualTo("/run/k3s/containerd");
    assertThat(s.inPodPath()).isEqualTo("/run/lambda-cntr/runtime/containerd.sock");
  }

  @ParameterizedTest
  @CsvSource({"relative/containerd.sock", "/containerd.sock", "/"})
  void socketPathsThatCannotBeMountedSafelyAreRefused(String path) {
    assertThatThrownBy(() -> new RuntimeSocket(path, "--socket-path"))
        .isInstanceOf(CntrException.class)
        .hasMessage(
            "runtime socket '"
                + path
                + "': need an absolute path to a socket inside a directory below /, such as"
                + " /run/containerd/containerd.sock")
        .extracting(e -> ((CntrException) e).exitCode())
        .isEqualTo(ExitCode.USAGE);
  }
}
