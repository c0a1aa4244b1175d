package dev.lambdacntr.cli.install;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ServerReadinessTest {

  static final KubernetesSerialization JSON = new KubernetesSerialization();

  static Optional<GenericKubernetesResource> o(String json) {
    return Optional.of(JSON.unmarshal(json, GenericKubernetesResource.class));
  }

  static final Optional<GenericKubernetesResource> READY_GATEWAY =
      o(
          "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"g\",\"generation\":2},"
              + "\"spec\":{\"replicas\":2},\"status\":{\"observedGeneration\":2,\"replicas\":2,"
              + "\"updatedReplicas\":2,\"readyReplicas\":2}}");
  static final Optional<GenericKubernetesResource> READY_AGENTS =
      o(
          "{\"apiVersion\":\"apps/v1\",\"kind\":\"DaemonSet\",\"metadata\":{\"name\":\"a\",\"generation\":1},"
              + "\"status\":{\"observedGeneration\":1,\"desiredNumberScheduled\":2,"
              + "\"updatedNumberScheduled\":2,\"numberReady\":2}}");
  static final Optional<GenericKubernetesResource> AVAILABLE =
      o(
          "{\"apiVersion\":\"apiregistration.k8s.io/v1\",\"kind\":\"APIService\",\"metadata\":{\"name\":\"x\"},"
              + "\"status\":{\"conditions\":[{\"type\":\"Available\",\"status\":\"True\"}]}}");

  @Test
  void readyWhenAllThreeAre() {
    assertThat(
            ServerReadiness.notReady(
                "ns", new ServerReadiness.Observed(READY_GATEWAY, READY_AGENTS, AVAILABLE)))
        .isEmpty();
  }

  @Test
  void namesWhatIsNotReadyWithTheApiServersReason() {
    Optional<GenericKubernetesResource> unavailable =
        o(
            "{\"apiVersion\":\"apiregistration.k8s.io/v1\",\"kind\":\"APIService\",\"metadata\":{\"name\":\"x\"},"
                + "\"status\":{\"conditions\":[{\"type\":\"Available\",\"status\":\"False\","
                + "\"reason\":\"FailedDiscoveryCheck\",\"message\":\"bad certificate\"}]}}");
    Optional<GenericKubernetesResource> rolling =
        o(
            "{\"apiVersion\":\"apps/v1\",\"kind\":\"DaemonSet\",\"metadata\":{\"name\":\"a\",\"generation\":3},"
                + "\"status\":{\"observedGeneration\":3,\"desiredNumberScheduled\":2,"
                + "\"updatedNumberScheduled\":1,\"numberReady\":2}}");
    assertThat(
            ServerReadiness.notReady(
                "ns", new ServerReadiness.Observed(Optional.empty(), rolling, unavailable)))
        .containsExactly(
            "Deployment ns/lambda-cntr-gateway not found",
            "DaemonSet ns/lambda-cntr-node-agent has 2 of 2 node agents ready (1 updated)",
            "APIService v1alpha1.cntr.lambda-cntr.dev is not Available: FailedDiscoveryCheck"
                + " (bad certificate)");
  }

  @Test
  void anOldGenerationIsNotReady() {
    Optional<GenericKubernetesResource> stale =
        o(
            "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"g\",\"generation\":3},"
                + "\"spec\":{\"replicas\":2},\"status\":{\"observedGeneration\":2,\"replicas\":2,"
                + "\"updatedReplicas\":2,\"readyReplicas\":2}}");
    assertThat(
            ServerReadiness.notReady(
                "ns", new ServerReadiness.Observed(stale, READY_AGENTS, AVAILABLE)))
        .hasSize(1);
  }
}
