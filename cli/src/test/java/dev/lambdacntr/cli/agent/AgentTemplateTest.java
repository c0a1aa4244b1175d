package dev.lambdacntr.cli.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class AgentTemplateTest {

  static final KubernetesSerialization YAML = new KubernetesSerialization();

  @Test
  void theAgentJobIsExactlyTheReviewedOne() throws IOException {
    AgentSpec spec =
        new AgentSpec(
            "lambda-cntr", "worker-1", "ghcr.io/lambda-cntr/debug:0.1.0", Duration.ofMinutes(15));
    assertThat(YAML.asYaml(AgentTemplate.job(spec))).isEqualTo(resource("agent-job.yaml"));
  }

  @Test
  void anotherNamespaceImageAndIdleTimeout() throws IOException {
    AgentSpec spec = new AgentSpec("ops", "n", "example.org/tools:1", Duration.ofSeconds(90));
    assertThat(YAML.asYaml(AgentTemplate.job(spec))).isEqualTo(resource("agent-job-ops.yaml"));
  }

  @Test
  void theAgentNamespaceAdmitsPrivilegedPods() throws IOException {
    assertThat(YAML.asYaml(AgentTemplate.namespace("lambda-cntr")))
        .isEqualTo(resource("agent-namespace.yaml"));
  }

  @Test
  void namesStayWithinTheLabelLimitAndStayDistinct() {
    String longNode = "ip-10-0-0-1.eu-west-1.compute.internal.example-cluster-with-a-long-name";
    String other = longNode.replace("10-0-0-1", "10-0-0-2");
    assertThat(AgentNames.jobName("worker-1", "0123456789ab"))
        .isEqualTo("lambda-cntr-agent-worker-1-0123456789ab");
    String longHash = AgentTemplate.templateHash(spec(longNode, "i"));
    assertThat(AgentNames.jobName(longNode, longHash))
        .hasSizeLessThanOrEqualTo(63)
        .startsWith("lambda-cntr-agent-ip-10-0-0-1")
        .endsWith("-" + longHash)
        .doesNotContain("--");
    assertThat(AgentTemplate.job(spec(longNode, "i")).getMetadata().getName())
        .isNotEqualTo(AgentTemplate.job(spec(other, "i")).getMetadata().getName());
    assertThat(AgentNames.nodeLabelValue(longNode))
        .hasSizeLessThanOrEqualTo(63)
        .matches("[a-z0-9].*[a-z0-9]");
    assertThat(AgentNames.nodeLabelValue("worker-1")).isEqualTo("worker-1");
  }

  @Test
  void eachImageAndIdleTimeoutOnANodeIsAJobOfItsOwn() {
    Job a = AgentTemplate.job(spec("node-1", "debug:a"));
    Job b = AgentTemplate.job(spec("node-1", "debug:b"));
    Job slower =
        AgentTemplate.job(new AgentSpec("ns", "node-1", "debug:a", Duration.ofMinutes(30)));
    Job elsewhere = AgentTemplate.job(new AgentSpec("other", "node-1", "debug:a", IDLE));
    assertThat(List.of(a, b, slower, elsewhere))
        .extracting(j -> j.getMetadata().getName())
        .doesNotHaveDuplicates()
        .allMatch(n -> n.startsWith("lambda-cntr-agent-node-1-"));
    assertThat(AgentTemplate.job(spec("node-1", "debug:a"))).isEqualTo(a);
  }

  @Test
  void theTemplateHashLabelsTheJobAndItsPodAndNamesTheJob() {
    AgentSpec spec = spec("node-1", "debug:a");
    String hash = AgentTemplate.templateHash(spec);
    Job job = AgentTemplate.job(spec);
    assertThat(hash).matches("[0-9a-f]{12}");
    assertThat(job.getMetadata().getLabels()).containsEntry(AgentNames.TEMPLATE_LABEL, hash);
    assertThat(job.getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry(AgentNames.TEMPLATE_LABEL, hash);
    assertThat(job.getMetadata().getName()).isEqualTo("lambda-cntr-agent-node-1-" + hash);
  }

  private static final Duration IDLE = Duration.ofMinutes(15);

  private static AgentSpec spec(String node, String image) {
    return new AgentSpec("ns", node, image, IDLE);
  }

  @Test
  void theIdleCommandIsTheDocumentedContract() {
    AgentSpec spec = new AgentSpec("ns", "n", "i", Duration.ofSeconds(42));
    assertThat(AgentTemplate.idleCommand(spec))
        .containsExactly("lambda-cntr-agent-idle", "--idle-timeout", "42");
  }

  static String resource(String name) throws IOException {
    try (InputStream in = AgentTemplateTest.class.getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
