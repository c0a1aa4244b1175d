package dev.lambdacntr.cli.install;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lambdacntr.cli.agent.AgentNames;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** What install applies and uninstall deletes, compared with manifests/server/. */
class ServerManifestsTest {

  static final ServerPki PKI = ServerPki.create("team-x", Instant.now());
  static final String IMAGE = "registry.example/lambda-cntr/debug:9";

  static List<GenericKubernetesResource> installed() {
    return ServerManifests.forInstall("team-x", IMAGE, PKI);
  }

  static GenericKubernetesResource one(
      List<GenericKubernetesResource> all, String kind, String name) {
    return all.stream()
        .filter(o -> o.getKind().equals(kind) && o.getMetadata().getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> at(Object o, String... path) {
    Object node = o instanceof GenericKubernetesResource g ? g.getAdditionalProperties() : o;
    for (String key : path) {
      node = ((Map<String, Object>) node).get(key);
    }
    return (Map<String, Object>) node;
  }

  @Test
  void everyManifestIsBundled() throws IOException {
    try (Stream<Path> files = Files.list(Path.of("..", "manifests", "server"))) {
      assertThat(files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".yaml")))
          .containsExactlyInAnyOrderElementsOf(ServerManifests.FILES);
    }
  }

  @Test
  void theNamespaceComesFirstThenTheSecretsAndTheApiServiceLast() {
    List<GenericKubernetesResource> all = installed();
    assertThat(all.get(0).getKind()).isEqualTo("Namespace");
    assertThat(all.get(0).getMetadata().getName()).isEqualTo("team-x");
    assertThat(all.subList(1, 4))
        .extracting(GenericKubernetesResource::getKind)
        .containsOnly("Secret");
    assertThat(all.get(all.size() - 1).getKind()).isEqualTo("APIService");
  }

  @Test
  void uninstallingByDefaultLeavesTheDirectModesAgentsAlone() {
    // uninstall deletes its namespace last: shared with direct mode's agents, it took their
    // running sessions with it
    assertThat(ServerManifests.DEFAULT_NAMESPACE).isNotEqualTo(AgentNames.DEFAULT_NAMESPACE);
    assertThat(ServerManifests.forUninstall(ServerManifests.DEFAULT_NAMESPACE))
        .noneMatch(o -> AgentNames.DEFAULT_NAMESPACE.equals(o.getMetadata().getName()))
        .noneMatch(o -> AgentNames.DEFAULT_NAMESPACE.equals(o.getMetadata().getNamespace()));
  }

  @Test
  void nothingIsLeftInTheDefaultNamespace() {
    for (GenericKubernetesResource o : installed()) {
      assertThat(o.getMetadata().getNamespace()).isIn(null, "team-x", "kube-system");
      Object subjects = o.getAdditionalProperties().get("subjects");
      if (subjects instanceof List<?> list) {
        list.forEach(s -> assertThat(((Map<?, ?>) s).get("namespace")).isEqualTo("team-x"));
      }
    }
    assertThat(at(one(installed(), "APIService", ServerManifests.API_SERVICE), "spec", "service"))
        .containsEntry("namespace", "team-x")
        .containsEntry("name", "lambda-cntr-gateway");
  }

  @Test
  void theApiServiceTrustsTheNewCa() {
    Object bundle =
        at(one(installed(), "APIService", ServerManifests.API_SERVICE), "spec").get("caBundle");
    assertThat(new String(Base64.getDecoder().decode((String) bundle), StandardCharsets.US_ASCII))
        .isEqualTo(PKI.caPem());
  }

  @Test
  void theGatewayAndTheAgentsRunTheImageThePolicyAllowsAndRestartOnANewCa() {
    List<GenericKubernetesResource> all = installed();
    for (GenericKubernetesResource workload :
        List.of(
            one(all, "Deployment", ServerManifests.GATEWAY),
            one(all, "DaemonSet", ServerManifests.NODE_AGENT))) {
      Map<String, Object> template = at(workload, "spec", "template");
      assertThat((List<?>) at(template, "spec").get("containers"))
          .allSatisfy(c -> assertThat(((Map<?, ?>) c).get("image")).isEqualTo(IMAGE));
      assertThat(at(template, "metadata", "annotations"))
          .containsEntry(ServerManifests.PKI_ANNOTATION, ServerManifests.sha256(PKI.caPem()));
    }
    assertThat(at(one(all, "ConfigMap", "lambda-cntr-policy"), "data"))
        .containsEntry("defaultImage", IMAGE)
        .containsEntry("allowedImages", IMAGE + "\n");
  }

  @Test
  void theSecretsHoldWhatTheGatewayAndTheAgentsMount() {
    List<GenericKubernetesResource> all = installed();
    assertThat(at(one(all, "Secret", ServerManifests.GATEWAY_SERVING_SECRET), "data"))
        .containsOnlyKeys("tls.crt", "tls.key");
    assertThat(at(one(all, "Secret", ServerManifests.GATEWAY_AGENT_CLIENT_SECRET), "data"))
        .containsOnlyKeys("tls.crt", "tls.key", "ca.crt")
        .containsEntry("ca.crt", b64(PKI.caPem()))
        .containsEntry("tls.crt", b64(PKI.gatewayAgentClient().certPem()));
    assertThat(at(one(all, "Secret", ServerManifests.NODE_AGENT_SECRET), "data"))
        .containsOnlyKeys("tls.crt", "tls.key", "ca.crt")
        .containsEntry("tls.crt", b64(PKI.nodeAgentServer().certPem()))
        .containsEntry("ca.crt", b64(PKI.caPem()));
  }

  @Test
  void uninstallDeletesEverythingTheNamespaceLast() {
    List<GenericKubernetesResource> gone = ServerManifests.forUninstall("team-x");
    assertThat(gone.get(gone.size() - 1).getKind()).isEqualTo("Namespace");
    assertThat(gone.get(gone.size() - 1).getMetadata().getName()).isEqualTo("team-x");
    assertThat(gone).hasSize(installed().size() - 3);
  }

  static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.US_ASCII));
  }
}
