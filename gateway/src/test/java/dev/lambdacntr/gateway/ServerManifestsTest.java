package dev.lambdacntr.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import dev.lambdacntr.gateway.http.Discovery;
import dev.lambdacntr.gateway.policy.SessionPolicy;
import dev.lambdacntr.gateway.session.NodeAgents;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** manifests/server/ agrees with what the gateway does and grants it no more than it needs. */
class ServerManifestsTest {

  static final Path DIR = Path.of("..", "manifests", "server");
  static final KubernetesSerialization YAML = new KubernetesSerialization();
  static final String NS = "lambda-cntr-system";
  static final String SA = "lambda-cntr-gateway";
  static final List<HasMetadata> OBJECTS = new ArrayList<>();

  @BeforeAll
  static void load() throws IOException {
    try (Stream<Path> files = Files.list(DIR)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        Object parsed = YAML.unmarshal(Files.readString(file));
        if (parsed instanceof List<?> list) {
          list.forEach(o -> OBJECTS.add((HasMetadata) o));
        } else {
          OBJECTS.add((HasMetadata) parsed);
        }
      }
    }
  }

  static <T extends HasMetadata> List<T> all(Class<T> type) {
    return OBJECTS.stream().filter(type::isInstance).map(type::cast).toList();
  }

  static <T extends HasMetadata> T one(Class<T> type, String name) {
    return all(type).stream()
        .filter(o -> o.getMetadata().getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name));
  }

  @Test
  void theNamespaceAdmitsTheNodeAgents() {
    Namespace ns = one(Namespace.class, NS);
    assertThat(ns.getMetadata().getLabels())
        .containsEntry("pod-security.kubernetes.io/enforce", "privileged");
  }

  @Test
  void theGatewayRunsUnprivilegedInTwoReplicasWithinItsMemoryGoal() {
    Deployment d = one(Deployment.class, "lambda-cntr-gateway");
    assertThat(d.getMetadata().getNamespace()).isEqualTo(NS);
    assertThat(d.getSpec().getReplicas()).isEqualTo(2);
    PodSpec pod = d.getSpec().getTemplate().getSpec();
    assertThat(pod.getServiceAccountName()).isEqualTo(SA);
    assertThat(pod.getHostPID()).isNotEqualTo(Boolean.TRUE);
    assertThat(pod.getHostNetwork()).isNotEqualTo(Boolean.TRUE);
    assertThat(pod.getHostIPC()).isNotEqualTo(Boolean.TRUE);
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getVolumes()).allSatisfy(v -> assertThat(v.getHostPath()).isNull());
    assertThat(pod.getContainers()).hasSize(1);
    Container c = pod.getContainers().get(0);
    assertThat(c.getCommand()).containsExactly("/opt/lambda-cntr/bin/lambda-cntr-gateway");
    assertThat(c.getSecurityContext().getPrivileged()).isFalse();
    assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(c.getSecurityContext().getCapabilities().getAdd()).isNullOrEmpty();
    // idle ~100 MiB, 141-152 MiB while relaying a bulk copy: the limit leaves room for that, and
    // no more (a 128Mi limit OOM-killed the replica mid-copy)
    assertThat(Quantity.getAmountInBytes(c.getResources().getLimits().get("memory")))
        .isEqualTo(Quantity.getAmountInBytes(new Quantity("192Mi")));
  }

  @Test
  void theGatewayFindsItsFilesAndPortWhereItsDefaultsSay() {
    GatewayConfig defaults = GatewayConfig.parse(List.of(), name -> null);
    Container c =
        one(Deployment.class, "lambda-cntr-gateway")
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0);
    assertThat(c.getPorts().get(0).getContainerPort()).isEqualTo(defaults.port());
    List<String> mounts = c.getVolumeMounts().stream().map(VolumeMount::getMountPath).toList();
    Stream.of(
            defaults.servingCert(),
            defaults.servingKey(),
            defaults.agentClientCert(),
            defaults.agentClientKey(),
            defaults.agentCa())
        .forEach(file -> assertThat(mounts).contains(file.getParent().toString()));
    assertThat(c.getEnv())
        .anySatisfy(
            e -> {
              assertThat(e.getName()).isEqualTo("LAMBDA_CNTR_GATEWAY_NAMESPACE");
              assertThat(e.getValueFrom().getFieldRef().getFieldPath())
                  .isEqualTo("metadata.namespace");
            });
    assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
  }

  @Test
  void theServiceReachesTheGatewaysPods() {
    Service s = one(Service.class, "lambda-cntr-gateway");
    Deployment d = one(Deployment.class, "lambda-cntr-gateway");
    assertThat(d.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(s.getSpec().getSelector());
    assertThat(s.getSpec().getPorts().get(0).getPort()).isEqualTo(443);
  }

  @Test
  void theApiServiceSendsOurGroupToTheService() {
    HasMetadata api =
        OBJECTS.stream().filter(o -> o.getKind().equals("APIService")).findFirst().orElseThrow();
    Map<String, Object> spec = YAML.convertValue(api, GenericKubernetesResource.class).get("spec");
    assertThat(api.getMetadata().getName()).isEqualTo(ApiGroup.VERSION + "." + ApiGroup.GROUP);
    assertThat(spec)
        .containsEntry("group", ApiGroup.GROUP)
        .containsEntry("version", ApiGroup.VERSION)
        .containsEntry("caBundle", "CA_BUNDLE_PLACEHOLDER")
        .containsEntry(
            "service", Map.of("name", "lambda-cntr-gateway", "namespace", NS, "port", 443));
    assertThat(spec).doesNotContainKey("insecureSkipTLSVerify");
  }

  @Test
  void theGatewaysClusterRoleIsReviewsPodReadsEventsAndProtectionMarksOnly() {
    ClusterRole role = one(ClusterRole.class, "lambda-cntr-gateway");
    assertThat(role.getRules())
        .extracting(PolicyRule::getApiGroups, PolicyRule::getResources, PolicyRule::getVerbs)
        .containsExactly(
            tuple(
                List.of("authorization.k8s.io"),
                List.of("subjectaccessreviews"),
                List.of("create")),
            tuple(List.of(""), List.of("pods"), List.of("get", "list", "patch")),
            tuple(List.of(""), List.of("events"), List.of("create")),
            tuple(List.of("policy"), List.of("poddisruptionbudgets"), List.of("create", "delete")));
    assertBoundToTheGateway(one(ClusterRoleBinding.class, "lambda-cntr-gateway").getSubjects());
  }

  @Test
  void inItsNamespaceTheGatewayReadsItsPolicyAndListsPods() {
    Role role = one(Role.class, "lambda-cntr-gateway");
    assertThat(role.getMetadata().getNamespace()).isEqualTo(NS);
    assertThat(role.getRules())
        .extracting(PolicyRule::getResources, PolicyRule::getResourceNames, PolicyRule::getVerbs)
        .containsExactly(
            tuple(List.of("configmaps"), List.of(SessionPolicy.NAME), List.of("get")),
            tuple(List.of("pods"), List.of(), List.of("list")));
    assertBoundToTheGateway(one(RoleBinding.class, "lambda-cntr-gateway").getSubjects());
  }

  @Test
  void theGatewayIsAnAuthDelegatorAndReadsTheFrontProxysConfiguration() {
    ClusterRoleBinding delegator =
        one(ClusterRoleBinding.class, "lambda-cntr-gateway:system:auth-delegator");
    assertThat(delegator.getRoleRef().getName()).isEqualTo("system:auth-delegator");
    assertBoundToTheGateway(delegator.getSubjects());
    RoleBinding reader =
        one(RoleBinding.class, "lambda-cntr-gateway:extension-apiserver-authentication-reader");
    assertThat(reader.getMetadata().getNamespace()).isEqualTo("kube-system");
    assertThat(reader.getRoleRef().getKind()).isEqualTo("Role");
    assertThat(reader.getRoleRef().getName())
        .isEqualTo("extension-apiserver-authentication-reader");
    assertBoundToTheGateway(reader.getSubjects());
  }

  @Test
  void noRoleGrantsWildcardsSecretsExecOrWritesBeyondTheProtectionMarks() {
    Stream.concat(
            all(ClusterRole.class).stream().flatMap(r -> r.getRules().stream()),
            all(Role.class).stream().flatMap(r -> r.getRules().stream()))
        .forEach(
            rule -> {
              // the protection marks: patch pods, delete their budgets (and nothing else)
              List<String> writes =
                  rule.getResources().equals(List.of("pods"))
                      ? List.of("delete")
                      : rule.getResources().equals(List.of("poddisruptionbudgets"))
                          ? List.of("patch")
                          : List.of("delete", "patch");
              assertThat(rule.getVerbs()).doesNotContainAnyElementsOf(writes);
              assertThat(rule.getVerbs())
                  .doesNotContain("*", "update", "escalate", "bind", "impersonate");
              assertThat(rule.getResources()).doesNotContain("*", "secrets", "nodes/proxy");
              // the core pods/exec is root on every node; the gateway's own (its group only) is
              // the command session, which the gateway opens only for a user who may create the
              // core pods/exec on that pod already
              if (rule.getResources().contains("pods/exec")) {
                assertThat(rule.getApiGroups()).containsExactly(ApiGroup.GROUP);
              }
              assertThat(rule.getApiGroups()).doesNotContain("*");
            });
  }

  @Test
  void theDebuggerRoleIsExactlyOurSubresources() {
    ClusterRole role = one(ClusterRole.class, "lambda-cntr-debugger");
    assertThat(role.getRules()).hasSize(1);
    PolicyRule rule = role.getRules().get(0);
    assertThat(rule.getApiGroups()).containsExactly(ApiGroup.GROUP);
    assertThat(rule.getResources())
        .containsExactlyElementsOf(ApiGroup.SUBRESOURCES.stream().map(s -> "pods/" + s).toList());
    assertThat(rule.getVerbs()).containsExactly("create", "get");
    assertThat(Discovery.at(ApiGroup.PREFIX).orElseThrow()).contains("\"pods/exec\"");
  }

  @Test
  void thePolicyConfigMapParsesAndAllowsItsDefault() {
    ConfigMap cm = one(ConfigMap.class, SessionPolicy.NAME);
    SessionPolicy policy = SessionPolicy.fromConfigMap(NS, cm);
    assertThat(policy.image(java.util.Optional.empty())).isEqualTo(policy.defaultImage());
    assertThat(
            one(Deployment.class, "lambda-cntr-gateway")
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getImage())
        .isEqualTo(policy.defaultImage());
  }

  @Test
  void theServiceAccountIsInTheNamespace() {
    assertThat(one(ServiceAccount.class, SA).getMetadata().getNamespace()).isEqualTo(NS);
  }

  static final String AGENT_SECRET = "lambda-cntr-node-agent-tls";

  static DaemonSet nodeAgents() {
    return one(DaemonSet.class, NodeAgents.DAEMON_SET);
  }

  @Test
  void theNodeAgentIsPrivilegedHostPidWithARootItCannotWriteAndNoApiCredentials() {
    DaemonSet ds = nodeAgents();
    assertThat(ds.getMetadata().getNamespace()).isEqualTo(NS);
    PodSpec pod = ds.getSpec().getTemplate().getSpec();
    assertThat(ds.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(ds.getSpec().getSelector().getMatchLabels());
    assertThat(ds.getSpec().getSelector().getMatchLabels()).isNotEmpty();
    assertThat(pod.getHostPID()).isTrue();
    assertThat(pod.getAutomountServiceAccountToken()).isFalse();
    assertThat(pod.getServiceAccountName()).isNull();
    assertThat(pod.getTolerations())
        .anySatisfy(t -> assertThat(t.getOperator()).isEqualTo("Exists"));
    assertThat(pod.getContainers()).hasSize(1);
    Container c = pod.getContainers().get(0);
    assertThat(c.getSecurityContext().getPrivileged()).isTrue();
    assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(c.getEnvFrom()).isNullOrEmpty();
    // no volume brings credentials or the node's files: its TLS secret and a scratch /tmp only
    assertThat(pod.getVolumes())
        .allSatisfy(
            v -> {
              assertThat(v.getHostPath()).isNull();
              assertThat(v.getProjected()).isNull();
            });
    assertThat(pod.getVolumes().stream().filter(v -> v.getSecret() != null))
        .extracting(v -> v.getSecret().getSecretName())
        .containsExactly(AGENT_SECRET);
  }

  @Test
  void theNodeAgentListensWhereTheGatewayLooksAndIsReadyOnlyWhenItAcceptsConnections() {
    GatewayConfig defaults = GatewayConfig.parse(List.of(), name -> null);
    PodSpec pod = nodeAgents().getSpec().getTemplate().getSpec();
    // the gateway dials the agent's pod IP: the port is the pod's (no hostNetwork, no hostPort)
    assertThat(pod.getHostNetwork()).isNotEqualTo(Boolean.TRUE);
    Container c = pod.getContainers().get(0);
    assertThat(c.getPorts()).hasSize(1);
    assertThat(c.getPorts().get(0).getContainerPort()).isEqualTo(defaults.agentPort());
    assertThat(c.getPorts().get(0).getHostPort()).isNull();
    assertThat(c.getCommand())
        .startsWith("/opt/lambda-cntr/bin/lambda-cntr-node-agent")
        .containsSequence("--listen", "0.0.0.0:" + defaults.agentPort());
    // every HTTP path needs the gateway's certificate: the probe is a TCP connect
    assertThat(c.getReadinessProbe().getTcpSocket().getPort().getStrVal())
        .isEqualTo(c.getPorts().get(0).getName());
    assertThat(c.getReadinessProbe().getHttpGet()).isNull();
  }

  @Test
  void theNodeAgentReadsItsCertificateKeyAndTheGatewaysCaFromItsSecret() {
    PodSpec pod = nodeAgents().getSpec().getTemplate().getSpec();
    Container c = pod.getContainers().get(0);
    Volume tls =
        pod.getVolumes().stream().filter(v -> v.getSecret() != null).findFirst().orElseThrow();
    VolumeMount mount =
        c.getVolumeMounts().stream()
            .filter(m -> m.getName().equals(tls.getName()))
            .findFirst()
            .orElseThrow();
    assertThat(mount.getReadOnly()).isTrue();
    String dir = mount.getMountPath() + "/";
    assertThat(c.getCommand())
        .containsSequence("--cert", dir + "tls.crt")
        .containsSequence("--key", dir + "tls.key")
        .containsSequence("--client-ca", dir + "ca.crt");
  }

  @Test
  void theNodeAgentRunsThePolicysDefaultImage() {
    // the gateway sends a session only to an agent that runs the session's image
    ConfigMap cm = one(ConfigMap.class, SessionPolicy.NAME);
    assertThat(nodeAgents().getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo(SessionPolicy.fromConfigMap(NS, cm).defaultImage());
  }

  static void assertBoundToTheGateway(List<Subject> subjects) {
    assertThat(subjects)
        .extracting(Subject::getKind, Subject::getName, Subject::getNamespace)
        .containsExactly(tuple("ServiceAccount", SA, NS));
  }
}
