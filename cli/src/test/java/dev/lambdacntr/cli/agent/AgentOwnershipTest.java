package dev.lambdacntr.cli.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AgentOwnershipTest {

  private static final AgentSpec SPEC =
      new AgentSpec("lambda-cntr", "node-1", "debug:a", Duration.ofMinutes(15));
  private static final String JOB_UID = "3f0c-job";

  /** The Job as the API server returns it after the CLI created it: with a UID. */
  private static Job createdJob(AgentSpec spec) {
    return new JobBuilder(AgentTemplate.job(spec))
        .editMetadata()
        .withUid(JOB_UID)
        .endMetadata()
        .build();
  }

  /** The pod the Job controller makes from {@code job}'s template. */
  private static Pod podOf(Job job) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(job.getMetadata().getName() + "-x7k2p")
        .withNamespace("lambda-cntr")
        .withLabels(job.getSpec().getTemplate().getMetadata().getLabels())
        .addNewOwnerReference()
        .withApiVersion("batch/v1")
        .withKind("Job")
        .withName(job.getMetadata().getName())
        .withUid(job.getMetadata().getUid())
        .withController(true)
        .endOwnerReference()
        .endMetadata()
        .withSpec(job.getSpec().getTemplate().getSpec())
        .build();
  }

  @Test
  void thePodOfTheJobMadeFromTheSameTemplateIsOurs() {
    Job job = createdJob(SPEC);
    Pod pod = podOf(job);
    assertThat(AgentOwnership.claims(pod, SPEC)).isTrue();
    assertThat(AgentOwnership.whyNotOurs(pod, Optional.of(job), SPEC)).isEmpty();
  }

  @Test
  void anAgentOfAnotherImageDoesNotEvenClaimTheTemplate() {
    AgentSpec other = new AgentSpec("lambda-cntr", "node-1", "debug:b", Duration.ofMinutes(15));
    Pod pod = podOf(createdJob(other));
    assertThat(AgentOwnership.claims(pod, SPEC)).isFalse();
    assertThat(AgentOwnership.whyNotOurs(pod, Optional.empty(), SPEC))
        .hasValueSatisfying(
            why -> assertThat(why).contains("not made from this session's agent template"));
  }

  @Test
  void aForgedPodWithTheAgentsNameAndLabelsButNoOwnerIsNotOurs() {
    Job job = createdJob(SPEC);
    Pod forged =
        new PodBuilder(podOf(job)).editMetadata().withOwnerReferences().endMetadata().build();
    assertThat(AgentOwnership.claims(forged, SPEC)).isTrue();
    assertThat(AgentOwnership.whyNotOurs(forged, Optional.of(job), SPEC))
        .hasValueSatisfying(why -> assertThat(why).startsWith("no Job owns it"));
  }

  @Test
  void aPodNamingTheJobWithAnotherUidIsNotOurs() {
    Job job = createdJob(SPEC);
    Pod pod =
        new PodBuilder(podOf(job))
            .editMetadata()
            .editFirstOwnerReference()
            .withUid("someone-elses")
            .endOwnerReference()
            .endMetadata()
            .build();
    assertThat(AgentOwnership.whyNotOurs(pod, Optional.of(job), SPEC))
        .hasValueSatisfying(why -> assertThat(why).contains("UID someone-elses"));
  }

  @Test
  void aPodWhoseJobIsGoneOrOfAnotherTemplateIsNotOurs() {
    Job job = createdJob(SPEC);
    Pod pod = podOf(job);
    assertThat(AgentOwnership.whyNotOurs(pod, Optional.empty(), SPEC))
        .hasValueSatisfying(why -> assertThat(why).contains("does not exist"));
    Job relabelled =
        new JobBuilder(job)
            .editMetadata()
            .addToLabels(AgentNames.TEMPLATE_LABEL, "000000000000")
            .endMetadata()
            .build();
    assertThat(AgentOwnership.whyNotOurs(pod, Optional.of(relabelled), SPEC))
        .hasValueSatisfying(why -> assertThat(why).contains("is not made from this template"));
  }

  @Test
  void aPodOwnedBySomethingElseIsNotOurs() {
    Job job = createdJob(SPEC);
    Pod pod =
        new PodBuilder(podOf(job))
            .editMetadata()
            .editFirstOwnerReference()
            .withKind("DaemonSet")
            .withName("lambda-cntr-node-agent")
            .endOwnerReference()
            .endMetadata()
            .build();
    assertThat(AgentOwnership.whyNotOurs(pod, Optional.of(job), SPEC))
        .hasValueSatisfying(
            why -> assertThat(why).contains("its owner is DaemonSet lambda-cntr-node-agent"));
  }

  @Test
  void aPodOnAnotherNodeDoesNotClaimTheTemplate() {
    Pod pod =
        new PodBuilder(podOf(createdJob(SPEC))).editSpec().withNodeName("node-2").endSpec().build();
    assertThat(AgentOwnership.claims(pod, SPEC)).isFalse();
  }

  /** A pod of {@code manifests/daemonset.yaml}'s DaemonSet on node-1 running {@code image}. */
  private static Pod daemonSetPod(String image, String ownerUid) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("lambda-cntr-agent-q7x2z")
        .withLabels(AgentNames.selector())
        .addNewOwnerReference()
        .withKind("DaemonSet")
        .withName(AgentNames.DAEMONSET)
        .withUid(ownerUid)
        .withController(true)
        .endOwnerReference()
        .endMetadata()
        .withNewSpec()
        .withNodeName("node-1")
        .addNewContainer()
        .withName(AgentNames.CONTAINER)
        .withImage(image)
        .endContainer()
        .endSpec()
        .build();
  }

  @Test
  void aPodOfTheAgentDaemonSetServesItsImageWhenItsOwnerIsProven() {
    DaemonSet ds =
        new DaemonSetBuilder()
            .withNewMetadata()
            .withName(AgentNames.DAEMONSET)
            .withUid("ds-uid")
            .endMetadata()
            .build();
    Pod pod = daemonSetPod("debug:a", "ds-uid");
    assertThat(AgentOwnership.claims(pod, SPEC)).isTrue();
    assertThat(AgentOwnership.ofDaemonSet(pod)).isTrue();
    assertThat(AgentOwnership.whyNotOurs(pod, SPEC, Optional.of(ds))).isEmpty();
    assertThat(AgentOwnership.whyNotOurs(daemonSetPod("debug:a", "forged"), SPEC, Optional.of(ds)))
        .hasValueSatisfying(why -> assertThat(why).contains("not DaemonSet lambda-cntr-agent"));
    assertThat(AgentOwnership.whyNotOurs(pod, SPEC, Optional.empty())).isPresent();
    assertThat(AgentOwnership.claims(daemonSetPod("debug:b", "ds-uid"), SPEC)).isFalse();
  }
}
