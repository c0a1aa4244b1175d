package dev.lambdacntr.cli.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lambdacntr.cli.install.ServerReadiness;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StatusReportTest {

  private static final String IMAGE = "ghcr.io/lambda-cntr/debug:0.1.0";

  @Test
  void anInstalledReadyServerModeListsGatewayAndAgentsPerNodeAndExitsZero() {
    ServerStatus status =
        status(
            Optional.of(apiService("True", null)),
            Optional.of(object(Map.of("replicas", 2), Map.of("readyReplicas", 2, "replicas", 2))),
            List.of(
                new ServerStatus.PodState("lambda-cntr-gateway-b", "node-2", true, IMAGE),
                new ServerStatus.PodState("lambda-cntr-gateway-a", "node-1", true, IMAGE)),
            List.of(
                new ServerStatus.PodState("lambda-cntr-node-agent-zz", "node-2", true, IMAGE),
                new ServerStatus.PodState("lambda-cntr-node-agent-aa", "node-1", true, IMAGE)),
            List.of());

    assertThat(StatusReport.lines(status))
        .containsExactly(
            "server mode: installed, APIService v1alpha1.cntr.lambda-cntr.dev is Available",
            "gateway: 2 of 2 replicas ready (Deployment lambda-cntr-system/lambda-cntr-gateway)",
            "  POD                    NODE    READY  VERSION  IMAGE",
            "  lambda-cntr-gateway-a  node-1  yes    0.1.0    " + IMAGE,
            "  lambda-cntr-gateway-b  node-2  yes    0.1.0    " + IMAGE,
            "node agents: 2 of 2 nodes ready (DaemonSet lambda-cntr-system/lambda-cntr-node-agent)",
            "  NODE    POD                        READY  VERSION  IMAGE",
            "  node-1  lambda-cntr-node-agent-aa  yes    0.1.0    " + IMAGE,
            "  node-2  lambda-cntr-node-agent-zz  yes    0.1.0    " + IMAGE,
            "direct-mode agents (namespace lambda-cntr): none");
    assertThat(StatusReport.failure(status)).isEmpty();
  }

  @Test
  void withoutTheApiServiceItIsNotInstalled81() {
    ServerStatus status =
        status(
            Optional.empty(),
            Optional.empty(),
            List.of(),
            List.of(),
            List.of(new ServerStatus.PodState("lambda-cntr-agent-node-1", "node-1", true, IMAGE)));

    assertThat(StatusReport.lines(status))
        .containsExactly(
            "server mode: not installed (no APIService v1alpha1.cntr.lambda-cntr.dev)",
            "gateway: no Deployment lambda-cntr-system/lambda-cntr-gateway",
            "node agents: no DaemonSet lambda-cntr-system/lambda-cntr-node-agent",
            "direct-mode agents (namespace lambda-cntr): 1",
            "  NODE    POD                       READY  VERSION  IMAGE",
            "  node-1  lambda-cntr-agent-node-1  yes    0.1.0    " + IMAGE);
    CntrException failure = StatusReport.failure(status).orElseThrow();
    assertThat(failure.exitCode()).isEqualTo(ExitCode.NOT_INSTALLED);
    assertThat(failure.exitCode().code()).isEqualTo(81);
    assertThat(failure.getMessage()).contains("not installed", "lambda-cntr install");
  }

  @Test
  void anUnavailableApiServiceAndAReplicaShortAreNamedWith74() {
    ServerStatus status =
        status(
            Optional.of(apiService("False", "FailedDiscoveryCheck")),
            Optional.of(object(Map.of("replicas", 2), Map.of("readyReplicas", 1, "replicas", 2))),
            List.of(
                new ServerStatus.PodState("lambda-cntr-gateway-a", "node-1", true, IMAGE),
                new ServerStatus.PodState("lambda-cntr-gateway-b", "", false, IMAGE)),
            List.of(),
            List.of());

    assertThat(StatusReport.lines(status))
        .contains(
            "server mode: installed, APIService v1alpha1.cntr.lambda-cntr.dev is not Available:"
                + " FailedDiscoveryCheck",
            "gateway: 1 of 2 replicas ready (Deployment lambda-cntr-system/lambda-cntr-gateway)",
            "  lambda-cntr-gateway-b  -       no     0.1.0    " + IMAGE);
    CntrException failure = StatusReport.failure(status).orElseThrow();
    assertThat(failure.exitCode()).isEqualTo(ExitCode.AGENT_FAILED);
    assertThat(failure.getMessage())
        .contains(
            "not ready",
            "1 of 2 replicas ready",
            "DaemonSet lambda-cntr-system/lambda-cntr-node-agent not found",
            "FailedDiscoveryCheck");
  }

  @Test
  void theVersionIsTheImagesTagElseItsDigest() {
    assertThat(StatusReport.version(IMAGE)).isEqualTo("0.1.0");
    assertThat(StatusReport.version("localhost:5000/debug:1.2")).isEqualTo("1.2");
    assertThat(StatusReport.version("localhost:5000/debug")).isEqualTo("latest");
    assertThat(StatusReport.version("r/debug:1.2@sha256:0123456789abcdef0123")).isEqualTo("1.2");
    assertThat(StatusReport.version("r/debug@sha256:0123456789abcdef0123"))
        .isEqualTo("sha256:0123456789ab");
  }

  private static ServerStatus status(
      Optional<GenericKubernetesResource> apiService,
      Optional<GenericKubernetesResource> gateway,
      List<ServerStatus.PodState> gatewayPods,
      List<ServerStatus.PodState> agentPods,
      List<ServerStatus.PodState> direct) {
    Optional<GenericKubernetesResource> daemonSet =
        agentPods.isEmpty()
            ? Optional.empty()
            : Optional.of(
                object(
                    Map.of(),
                    Map.of(
                        "desiredNumberScheduled",
                        agentPods.size(),
                        "numberReady",
                        agentPods.size(),
                        "updatedNumberScheduled",
                        agentPods.size())));
    Optional<GenericKubernetesResource> deployment =
        gateway.map(
            d -> {
              @SuppressWarnings("unchecked")
              Map<String, Object> s =
                  (Map<String, Object>) d.getAdditionalProperties().get("status");
              Map<String, Object> full = new java.util.HashMap<>(s);
              full.putIfAbsent("updatedReplicas", s.get("replicas"));
              d.setAdditionalProperty("status", full);
              return d;
            });
    return new ServerStatus(
        "lambda-cntr-system",
        new ServerReadiness.Observed(deployment, daemonSet, apiService),
        gatewayPods,
        agentPods,
        "lambda-cntr",
        direct);
  }

  private static GenericKubernetesResource object(
      Map<String, Object> spec, Map<String, Object> status) {
    GenericKubernetesResource o = new GenericKubernetesResource();
    o.setMetadata(new ObjectMetaBuilder().withName("x").build());
    o.setAdditionalProperty("spec", spec);
    o.setAdditionalProperty("status", status);
    return o;
  }

  private static GenericKubernetesResource apiService(String available, String reason) {
    Map<String, Object> condition = new java.util.HashMap<>();
    condition.put("type", "Available");
    condition.put("status", available);
    if (reason != null) {
      condition.put("reason", reason);
    }
    return object(Map.of(), Map.of("conditions", List.of(condition)));
  }
}
