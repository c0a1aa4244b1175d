package dev.lambdacntr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lambdacntr.cli.agent.AgentNames;
import dev.lambdacntr.cli.agent.AgentSpec;
import dev.lambdacntr.cli.agent.AgentTemplate;
import dev.lambdacntr.target.Version;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The manifests under manifests/ agree with what the CLI creates and needs. */
class ManifestsTest {

  static final Path MANIFESTS = Path.of("..", "manifests");
  static final KubernetesSerialization YAML = new KubernetesSerialization();

  static <T> T load(String file, Class<T> type) throws IOException {
    return YAML.unmarshal(Files.readString(MANIFESTS.resolve(file)), type);
  }

  @Test
  void theNamespaceIsTheOneTheCliCreates() throws IOException {
    Namespace ns = load("namespace.yaml", Namespace.class);
    assertThat(ns).isEqualTo(AgentTemplate.namespace(AgentNames.DEFAULT_NAMESPACE));
  }

  @Test
  void theDaemonSetRunsTheCliAgentPodThatNeverIdlesOut() throws IOException {
    DaemonSet ds = load("daemonset.yaml", DaemonSet.class);
    AgentSpec spec =
        new AgentSpec(
            AgentNames.DEFAULT_NAMESPACE, "any", Version.defaultImage(), Duration.ofSeconds(1));
    PodSpec jobPod = AgentTemplate.job(spec).getSpec().getTemplate().getSpec();
    PodSpec expected =
        new PodSpecBuilder(jobPod)
            .withNodeName(null)
            .withRestartPolicy("Always")
            .editFirstContainer()
            .withCommand("lambda-cntr-agent-idle", "--idle-timeout", "31536000")
            .endContainer()
            .build();
    assertThat(ds.getSpec().getTemplate().getSpec()).isEqualTo(expected);
    assertThat(ds.getMetadata().getNamespace()).isEqualTo(AgentNames.DEFAULT_NAMESPACE);
    assertThat(ds.getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry(AgentNames.NAME_LABEL, AgentNames.NAME_VALUE);
    assertThat(ds.getMetadata().getName()).isEqualTo(AgentNames.DAEMONSET);
  }

  @Test
  void theAgentRoleGrantsWhatTheCliUsesInTheAgentNamespace() throws IOException {
    List<HasMetadata> objects = YAML.unmarshal(Files.readString(MANIFESTS.resolve("rbac.yaml")));
    Role role =
        objects.stream()
            .filter(Role.class::isInstance)
            .map(Role.class::cast)
            .findFirst()
            .orElseThrow();
    assertThat(role.getRules())
        .extracting(PolicyRule::getResources, PolicyRule::getVerbs)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                List.of("pods"), List.of("get", "list", "watch", "delete")),
            org.assertj.core.groups.Tuple.tuple(List.of("pods/exec"), List.of("create")),
            org.assertj.core.groups.Tuple.tuple(
                List.of("jobs"), List.of("get", "list", "watch", "create", "delete")),
            org.assertj.core.groups.Tuple.tuple(List.of("daemonsets"), List.of("get")),
            org.assertj.core.groups.Tuple.tuple(List.of("events"), List.of("list", "watch")),
            org.assertj.core.groups.Tuple.tuple(List.of("namespaces"), List.of("get")));
  }

  @Test
  void theUserRoleNeedsNoNodes() throws IOException {
    List<HasMetadata> objects = YAML.unmarshal(Files.readString(MANIFESTS.resolve("rbac.yaml")));
    List<String> clusterWide =
        objects.stream()
            .filter(io.fabric8.kubernetes.api.model.rbac.ClusterRole.class::isInstance)
            .map(io.fabric8.kubernetes.api.model.rbac.ClusterRole.class::cast)
            .flatMap(r -> r.getRules().stream())
            .flatMap(r -> r.getResources().stream())
            .toList();
    assertThat(clusterWide).contains("pods", "events").doesNotContain("nodes");
  }
}
