package dev.lambdacntr.cli.install;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lambdacntr.target.Version;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * charts/lambda-cntr, linted and rendered by the real Helm (scripts/build-helm), against what
 * {@code lambda-cntr install} applies (manifests/server/ filled in by {@link ServerManifests}): the
 * same objects, equal field by field except the certificates, whose design is checked on its own:
 * the node agents accept the gateway's client certificate and nothing else.
 */
class HelmChartTest {

  static final Path CHART = Helm.CHART;
  static final KubernetesSerialization YAML = new KubernetesSerialization();
  static final String NS = "team-x";
  static final String REPOSITORY = "registry.example/lambda-cntr/debug";
  static final String IMAGE = REPOSITORY + ":9";
  static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

  static Helm helm;

  @BeforeAll
  static void findHelm() {
    helm = Helm.find();
  }

  @Test
  void theChartPassesHelmLint() throws Exception {
    String out = helm.ok("lint", "--strict", CHART.toString());
    assertThat(out).contains("0 chart(s) failed");
  }

  @Test
  void theChartsVersionIsTheProjects() throws IOException {
    @SuppressWarnings("unchecked")
    Map<String, Object> chart =
        YAML.unmarshal(Files.readString(CHART.resolve("Chart.yaml")), Map.class);
    assertThat(chart).containsEntry("version", Version.version());
    assertThat(chart).containsEntry("appVersion", Version.version());
  }

  @Test
  void theChartMakesWhatInstallAppliesFieldByField() throws Exception {
    List<GenericKubernetesResource> chart =
        template(
            "--set",
            "namespace=" + NS,
            "--set",
            "image.repository=" + REPOSITORY,
            "--set-string",
            "image.tag=9");
    assertSameObjects(chart, ServerManifests.forInstall(NS, IMAGE, pki(NS)));
  }

  @Test
  void itsDefaultsAreInstallsDefaults() throws Exception {
    assertSameObjects(
        template(),
        ServerManifests.forInstall(
            ServerManifests.DEFAULT_NAMESPACE,
            Version.defaultImage(),
            pki(ServerManifests.DEFAULT_NAMESPACE)));
  }

  @Test
  void valuesReachTheirFields() throws Exception {
    List<GenericKubernetesResource> chart =
        template(
            "--set",
            "gateway.replicas=1",
            "--set",
            "gateway.resources.limits.memory=256Mi",
            "--set",
            "policy.allowedImages={a/b:1,c/*}",
            "--set",
            "policy.allowFuse=false",
            "--set",
            "policy.maxSessionSeconds=600",
            "--set",
            "createNamespace=false");
    assertThat(chart).noneMatch(o -> o.getKind().equals("Namespace"));
    // one replica: a disruption budget of one would block every drain
    assertThat(chart).noneMatch(o -> o.getKind().equals("PodDisruptionBudget"));
    GenericKubernetesResource gateway = one(chart, "Deployment", ServerManifests.GATEWAY);
    assertThat(at(gateway, "spec")).containsEntry("replicas", 1);
    assertThat(at(container(gateway), "resources", "limits")).containsEntry("memory", "256Mi");
    assertThat(at(one(chart, "ConfigMap", "lambda-cntr-policy"), "data"))
        .containsEntry("allowedImages", "a/b:1\nc/*\n")
        .containsEntry("defaultImage", Version.defaultImage())
        .containsEntry("allowFuse", "false")
        .containsEntry("maxSessionSeconds", "600");
  }

  @Test
  void aDigestIsUsedWithAnAt() throws Exception {
    String digest = "sha256:" + "ab".repeat(32);
    List<GenericKubernetesResource> chart = template("--set", "image.tag=" + digest);
    assertThat(container(one(chart, "DaemonSet", ServerManifests.NODE_AGENT)))
        .containsEntry("image", Version.IMAGE_REPOSITORY + "@" + digest);
  }

  @Test
  void theApiServiceTrustsTheServingCertificateForTheServiceItDials() throws Exception {
    List<GenericKubernetesResource> chart = template("--set", "namespace=" + NS);
    Map<String, String> serving = secret(chart, ServerManifests.GATEWAY_SERVING_SECRET);
    String caBundle =
        (String) at(one(chart, "APIService", ServerManifests.API_SERVICE), "spec").get("caBundle");
    assertThat(decode(caBundle)).isEqualTo(serving.get("ca.crt"));
    X509Certificate cert = cert(serving.get("tls.crt"));
    assertThat(chainsTo(cert, serving.get("ca.crt"))).isTrue();
    assertThat(cert.getSubjectAlternativeNames())
        .extracting(n -> (Object) n.get(1))
        .contains((Object) ServerPki.gatewayHost(NS));
    assertThat(publicKeyOf(serving.get("tls.key"))).isEqualTo(cert.getPublicKey());
  }

  @Test
  void theNodeAgentsAcceptTheGatewaysClientCertificateAndNothingElse() throws Exception {
    List<GenericKubernetesResource> chart = template();
    Map<String, String> serving = secret(chart, ServerManifests.GATEWAY_SERVING_SECRET);
    Map<String, String> client = secret(chart, ServerManifests.GATEWAY_AGENT_CLIENT_SECRET);
    Map<String, String> agent = secret(chart, ServerManifests.NODE_AGENT_SECRET);
    // the node agents' --client-ca: the gateway's client certificate, and no other, chains to it
    String agentsTrust = agent.get("ca.crt");
    assertThat(chainsTo(cert(client.get("tls.crt")), agentsTrust)).isTrue();
    assertThat(cert(client.get("tls.crt")).getExtendedKeyUsage()).contains(CLIENT_AUTH);
    assertThat(chainsTo(cert(agent.get("tls.crt")), agentsTrust)).isFalse();
    assertThat(chainsTo(cert(serving.get("tls.crt")), agentsTrust)).isFalse();
    // the gateway's trust for the agents: their certificate only
    String gatewaysTrust = client.get("ca.crt");
    assertThat(chainsTo(cert(agent.get("tls.crt")), gatewaysTrust)).isTrue();
    assertThat(chainsTo(cert(client.get("tls.crt")), gatewaysTrust)).isFalse();
    assertThat(chainsTo(cert(serving.get("tls.crt")), gatewaysTrust)).isFalse();
    for (Map<String, String> secret : List.of(serving, client, agent)) {
      assertThat(publicKeyOf(secret.get("tls.key")))
          .isEqualTo(cert(secret.get("tls.crt")).getPublicKey());
    }
  }

  @Test
  void thePodsRestartOnNewCertificatesAndEachRenderingMakesNewOnes() throws Exception {
    List<GenericKubernetesResource> first = template();
    String hash = caHash(one(first, "Deployment", ServerManifests.GATEWAY));
    assertThat(caHash(one(first, "DaemonSet", ServerManifests.NODE_AGENT))).isEqualTo(hash);
    // without a cluster to look the Secrets up in, every rendering is a first install
    assertThat(caHash(one(template(), "Deployment", ServerManifests.GATEWAY))).isNotEqualTo(hash);
  }

  // --- comparison ------------------------------------------------------------------------------

  /**
   * Both lists hold the same objects (kind, namespace, name), and each pair is equal in every field
   * but the certificates: the Secrets' data (the chart's hold at least install's keys), the
   * APIService's caBundle and the pod templates' CA hash (present in both).
   */
  static void assertSameObjects(
      List<GenericKubernetesResource> chart, List<GenericKubernetesResource> install) {
    Map<String, Map<String, Object>> fromChart = byIdentity(chart);
    Map<String, Map<String, Object>> fromInstall = byIdentity(install);
    assertThat(fromChart.keySet()).containsExactlyInAnyOrderElementsOf(fromInstall.keySet());
    for (String id : fromInstall.keySet()) {
      Map<String, Object> c = fromChart.get(id);
      Map<String, Object> i = fromInstall.get(id);
      if (id.startsWith("Secret/")) {
        assertThat(at(c, "data").keySet()).as(id).containsAll(at(i, "data").keySet());
        c.remove("data");
        i.remove("data");
      }
      if (id.startsWith("APIService/")) {
        assertThat(at(c, "spec").remove("caBundle")).as(id).isNotNull();
        assertThat(at(i, "spec").remove("caBundle")).as(id).isNotNull();
      }
      if (id.startsWith("Deployment/") || id.startsWith("DaemonSet/")) {
        for (Map<String, Object> o : List.of(c, i)) {
          assertThat(
                  at(o, "spec", "template", "metadata", "annotations")
                      .remove(ServerManifests.PKI_ANNOTATION))
              .as(id)
              .isNotNull();
        }
      }
      assertThat(c).as(id).isEqualTo(i);
    }
  }

  /** Each object as a map (what its YAML says), by {@code kind/namespace/name}. */
  static Map<String, Map<String, Object>> byIdentity(List<GenericKubernetesResource> objects) {
    Map<String, Map<String, Object>> all = new TreeMap<>();
    for (GenericKubernetesResource o : objects) {
      String id =
          o.getKind() + "/" + o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
      @SuppressWarnings("unchecked")
      Map<String, Object> map = YAML.unmarshal(YAML.asJson(o), Map.class);
      assertThat(all.put(id, map)).as("two objects " + id).isNull();
    }
    return all;
  }

  // --- helm ------------------------------------------------------------------------------------

  /** {@code helm template} of the chart with {@code args}, as objects. */
  static List<GenericKubernetesResource> template(String... args) {
    List<String> command = new ArrayList<>(List.of("template", "lambda-cntr", CHART.toString()));
    command.addAll(List.of(args));
    List<GenericKubernetesResource> objects = new ArrayList<>();
    for (String document : helm.ok(command.toArray(String[]::new)).split("(?m)^---\\s*$")) {
      if (document.lines().anyMatch(l -> !l.isBlank() && !l.trim().startsWith("#"))) {
        objects.add(YAML.unmarshal(document, GenericKubernetesResource.class));
      }
    }
    return objects;
  }

  // --- objects ---------------------------------------------------------------------------------

  static ServerPki pki(String namespace) {
    return ServerPki.create(namespace, Instant.now());
  }

  static GenericKubernetesResource one(
      List<GenericKubernetesResource> all, String kind, String name) {
    return ServerManifestsTest.one(all, kind, name);
  }

  static Map<String, Object> at(Object o, String... path) {
    return ServerManifestsTest.at(o, path);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> container(GenericKubernetesResource workload) {
    List<Object> containers =
        (List<Object>) at(workload, "spec", "template", "spec").get("containers");
    assertThat(containers).hasSize(1);
    return (Map<String, Object>) containers.get(0);
  }

  static String caHash(GenericKubernetesResource workload) {
    return (String)
        at(workload, "spec", "template", "metadata", "annotations")
            .get(ServerManifests.PKI_ANNOTATION);
  }

  /** A Secret's data, decoded. */
  static Map<String, String> secret(List<GenericKubernetesResource> all, String name) {
    Map<String, String> decoded = new LinkedHashMap<>();
    at(one(all, "Secret", name), "data").forEach((k, v) -> decoded.put(k, decode((String) v)));
    assertThat(decoded).containsOnlyKeys("tls.crt", "tls.key", "ca.crt");
    return decoded;
  }

  static String decode(String base64) {
    return new String(Base64.getDecoder().decode(base64), StandardCharsets.US_ASCII);
  }

  // --- certificates ----------------------------------------------------------------------------

  static X509Certificate cert(String pem) throws Exception {
    return ServerPkiTest.cert(pem);
  }

  /** Whether {@code leaf} validates (PKIX, as the JDK's trust manager does) under {@code caPem}. */
  static boolean chainsTo(X509Certificate leaf, String caPem) throws Exception {
    PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(cert(caPem), null)));
    params.setRevocationEnabled(false);
    try {
      CertPathValidator.getInstance("PKIX")
          .validate(
              CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf)), params);
      return true;
    } catch (CertPathValidatorException e) {
      return false;
    }
  }

  /** The public half of a PEM key ("EC PRIVATE KEY", what Helm's genPrivateKey writes). */
  static PublicKey publicKeyOf(String pem) throws Exception {
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object parsed = parser.readObject();
      assertThat(parsed).isInstanceOf(PEMKeyPair.class);
      return new JcaPEMKeyConverter().getKeyPair((PEMKeyPair) parsed).getPublic();
    }
  }
}
