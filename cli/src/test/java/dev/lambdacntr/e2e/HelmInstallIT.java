package dev.lambdacntr.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lambdacntr.cli.install.Helm;
import dev.lambdacntr.cli.install.ServerManifests;
import dev.lambdacntr.cli.install.ServerReadiness;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Server mode installed with Helm (charts/lambda-cntr) instead of {@code lambda-cntr install}, into
 * a namespace of its own: sessions through the gateway, the node agents accepting the gateway's
 * client certificate and no other certificate of the release, an upgrade that keeps the
 * certificates and one that rotates them ({@code rotateCertificates=true}), and {@code helm
 * uninstall} leaving nothing behind.
 *
 * <p>The APIService and the cluster roles are cluster-wide, so this class and ServerModeIT (the
 * CLI's install) cannot have server mode installed at once: the suite runs its classes one after
 * the other (failsafe, one JVM, no parallel execution), each removes its install at its end, and
 * this one refuses to start while another install's APIService is there.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Tag("direct-only") // installs and removes server mode itself
class HelmInstallIT {

  static final String RELEASE = "lambda-cntr";
  static final String INSTALL_NS = "lambda-cntr-helm-e2e";
  static final Duration READY = Duration.ofMinutes(4);
  static final List<String> SECRETS =
      List.of(
          ServerManifests.GATEWAY_SERVING_SECRET,
          ServerManifests.GATEWAY_AGENT_CLIENT_SECRET,
          ServerManifests.NODE_AGENT_SECRET);

  static TestCluster cluster;
  static KubernetesClient client;
  static Helm helm;
  static E2eNamespace targets;
  static LambdaCntr cli;
  static boolean installed;

  @BeforeAll
  static void install() {
    cluster = TestCluster.get();
    client = cluster.client();
    helm = Helm.find();
    Optional<GenericKubernetesResource> other = apiService();
    if (other.isPresent()) {
      fail(
          "server mode is installed already (APIService "
              + ServerManifests.API_SERVICE
              + " for namespace "
              + at(other.get(), "spec", "service").get("namespace")
              + "): uninstall it first");
    }
    targets = cluster.namespace("helm");
    Target.busybox(cluster, targets.name(), "target", cluster.firstNode());
    cli = new LambdaCntr(cluster.settings(), targets.name(), targets.agentNamespace("helm"));

    installed = true; // from here on, whatever helm did is undone at the end
    Helm.Result r = helm(List.of("install", RELEASE, Helm.CHART.toString()), List.of());
    assertThat(r.exit()).as(r.toString()).isZero();
    awaitReady();
  }

  @AfterAll
  static void uninstall() {
    try {
      if (installed) {
        Helm.Result r =
            helm.run(
                Duration.ofMinutes(4),
                List.of(
                    "uninstall",
                    RELEASE,
                    "--namespace",
                    targets.name(),
                    "--wait",
                    "--timeout",
                    "3m"));
        assertThat(r.exit()).as(r.toString()).isZero();
        TestCluster.eventually(
            Duration.ofMinutes(2),
            "namespace " + INSTALL_NS + " gone after helm uninstall",
            () -> client.namespaces().withName(INSTALL_NS).get() == null,
            () -> String.valueOf(client.namespaces().withName(INSTALL_NS).get().getStatus()));
        assertThat(apiService()).as("the APIService after helm uninstall").isEmpty();
        var rbac = client.rbac();
        for (String name : List.of("lambda-cntr-gateway", "lambda-cntr-debugger")) {
          assertThat(rbac.clusterRoles().withName(name).get()).as("ClusterRole " + name).isNull();
        }
        for (String name :
            List.of("lambda-cntr-gateway", "lambda-cntr-gateway:system:auth-delegator")) {
          assertThat(rbac.clusterRoleBindings().withName(name).get())
              .as("ClusterRoleBinding " + name)
              .isNull();
        }
        assertThat(
                rbac.roleBindings()
                    .inNamespace("kube-system")
                    .withName("lambda-cntr-gateway:extension-apiserver-authentication-reader")
                    .get())
            .as("the RoleBinding in kube-system")
            .isNull();
      }
    } finally {
      if (targets != null) {
        targets.close();
      }
    }
  }

  @Test
  @Order(1)
  void aServerModeSessionThroughTheChartsGateway() {
    assertSession();
  }

  @Test
  @Order(2)
  void theNodeAgentsAcceptTheGatewaysClientCertificateOnly() {
    // a pod in the release's namespace with the three certificates of the release mounted
    PodBuilder probe = AgentPortProbe.pod(cluster, "cert-probe", cluster.secondNode());
    for (String secret : SECRETS) {
      probe
          .editSpec()
          .addNewVolume()
          .withName(secret)
          .withNewSecret()
          .withSecretName(secret)
          .endSecret()
          .endVolume()
          .editFirstContainer()
          .addNewVolumeMount()
          .withName(secret)
          .withMountPath("/certs/" + secret)
          .endVolumeMount()
          .endContainer()
          .endSpec();
    }
    Pod pod = cluster.runReady(INSTALL_NS, probe.build());
    assertThat(pod).isNotNull();
    try {
      for (Pod agent : nodeAgents()) {
        String url = AgentPortProbe.healthz(agent);
        for (String secret : SECRETS) {
          String out =
              AgentPortProbe.get(
                  cluster, INSTALL_NS, "cert-probe", url, Optional.of("/certs/" + secret));
          if (secret.equals(ServerManifests.GATEWAY_AGENT_CLIENT_SECRET)) {
            assertThat(out).as(url + " with " + secret + ": " + out).contains("http=200", "rc=0");
          } else {
            // the TLS handshake fails: no HTTP status, no request read
            assertThat(out)
                .as(url + " with " + secret + ": " + out)
                .contains("http=000")
                .doesNotContain("rc=0");
          }
        }
      }
    } finally {
      client.pods().inNamespace(INSTALL_NS).withName("cert-probe").delete();
    }
  }

  @Test
  @Order(3)
  void anUpgradeKeepsTheCertificatesAndRotateCertificatesReplacesThem() {
    Map<String, Map<String, String>> before = secrets();
    String caBundle = caBundle();
    Helm.Result r =
        helm(List.of("upgrade", RELEASE, Helm.CHART.toString(), "--reuse-values"), List.of());
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(secrets()).as("the Secrets after a plain upgrade").isEqualTo(before);
    assertThat(caBundle()).isEqualTo(caBundle);

    r =
        helm(
            List.of("upgrade", RELEASE, Helm.CHART.toString(), "--reuse-values"),
            List.of("--set", "rotateCertificates=true"));
    assertThat(r.exit()).as(r.toString()).isZero();
    Map<String, Map<String, String>> after = secrets();
    for (String secret : SECRETS) {
      for (String key : List.of("tls.crt", "tls.key", "ca.crt")) {
        assertThat(after.get(secret).get(key))
            .as(secret + " " + key + " after rotateCertificates=true")
            .isNotEqualTo(before.get(secret).get(key));
      }
    }
    assertThat(caBundle())
        .as("the APIService's caBundle: the new serving CA")
        .isEqualTo(after.get(ServerManifests.GATEWAY_SERVING_SECRET).get("ca.crt"));
    awaitReady();
    // the gateway and the node agents restarted with the new certificates
    TestCluster.eventually(
        Duration.ofMinutes(2),
        "a server-mode session after the rotation",
        () -> session().exit() == 0,
        () -> session().toString());
  }

  // --- helpers ----------------------------------------------------------------------------------

  /** {@code helm VERB RELEASE CHART} in the targets' namespace (the release's record), waiting. */
  static Helm.Result helm(List<String> verb, List<String> more) {
    List<String> args = new ArrayList<>(verb);
    args.addAll(
        List.of(
            "--namespace",
            targets.name(),
            "--set",
            "namespace=" + INSTALL_NS,
            "--set",
            "image.repository=" + repository(cluster.settings().debugImage()),
            "--set-string",
            "image.tag=" + tag(cluster.settings().debugImage()),
            "--wait",
            "--timeout",
            "4m"));
    args.addAll(more);
    return helm.run(Duration.ofMinutes(5), args);
  }

  static String repository(String image) {
    int at = image.indexOf('@');
    int colon = image.lastIndexOf(':');
    return at > 0
        ? image.substring(0, at)
        : colon > image.lastIndexOf('/') ? image.substring(0, colon) : image;
  }

  static String tag(String image) {
    int at = image.indexOf('@');
    int colon = image.lastIndexOf(':');
    return at > 0
        ? image.substring(at + 1)
        : colon > image.lastIndexOf('/') ? image.substring(colon + 1) : "latest";
  }

  static void assertSession() {
    LambdaCntr.Result r = session();
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.stdout()).as(r.toString()).isEqualTo("through-helm\n");
    assertThat(r.stderr()).as(r.toString()).contains("mode: server");
  }

  static LambdaCntr.Result session() {
    return cli.execute(
        List.of("--mode", "server", "-v"), List.of("target"), "echo", "through-helm");
  }

  /** Waits for the gateway, the node agents and the APIService, as {@code install} does. */
  static void awaitReady() {
    List<String> problems = List.of();
    long deadline = System.nanoTime() + READY.toNanos();
    while (System.nanoTime() < deadline) {
      problems =
          ServerReadiness.notReady(
              INSTALL_NS,
              new ServerReadiness.Observed(
                  Optional.ofNullable(
                      client
                          .genericKubernetesResources("apps/v1", "Deployment")
                          .inNamespace(INSTALL_NS)
                          .withName(ServerManifests.GATEWAY)
                          .get()),
                  Optional.ofNullable(
                      client
                          .genericKubernetesResources("apps/v1", "DaemonSet")
                          .inNamespace(INSTALL_NS)
                          .withName(ServerManifests.NODE_AGENT)
                          .get()),
                  apiService()));
      if (problems.isEmpty()) {
        return;
      }
      TestCluster.sleep(Duration.ofSeconds(1));
    }
    fail("server mode installed by helm not ready in " + READY.toSeconds() + "s: " + problems);
  }

  static Optional<GenericKubernetesResource> apiService() {
    return Optional.ofNullable(
        client
            .genericKubernetesResources("apiregistration.k8s.io/v1", "APIService")
            .withName(ServerManifests.API_SERVICE)
            .get());
  }

  static String caBundle() {
    return new String(
        Base64.getDecoder().decode((String) at(apiService().orElseThrow(), "spec").get("caBundle")),
        StandardCharsets.US_ASCII);
  }

  /** The three Secrets' data, decoded. */
  static Map<String, Map<String, String>> secrets() {
    Map<String, Map<String, String>> all = new TreeMap<>();
    for (String name : SECRETS) {
      Secret s = client.secrets().inNamespace(INSTALL_NS).withName(name).get();
      assertThat(s).as("Secret " + INSTALL_NS + "/" + name).isNotNull();
      Map<String, String> data = new TreeMap<>();
      s.getData()
          .forEach(
              (k, v) ->
                  data.put(
                      k, new String(Base64.getDecoder().decode(v), StandardCharsets.US_ASCII)));
      all.put(name, data);
    }
    return all;
  }

  static List<Pod> nodeAgents() {
    List<Pod> agents =
        client
            .pods()
            .inNamespace(INSTALL_NS)
            .withLabel("app.kubernetes.io/name", ServerManifests.NODE_AGENT)
            .list()
            .getItems();
    assertThat(agents).isNotEmpty();
    return agents;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> at(GenericKubernetesResource o, String... path) {
    Object node = o.getAdditionalProperties();
    for (String key : path) {
      node = ((Map<String, Object>) node).get(key);
    }
    return (Map<String, Object>) node;
  }
}
