package dev.lambdacntr.cli.agent;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Whether a pod labelled as an agent is one this CLI would exec into: made from the template it
 * would create now (the {@link AgentNames#TEMPLATE_LABEL} hash) by the agent Job of that template
 * (the pod's controlling owner is that Job, by name and UID, and the Job carries the same hash).
 * The pods of the administrator's DaemonSet ({@code manifests/daemonset.yaml}) serve too when they
 * run the session's image and their controlling owner is that DaemonSet, by name and UID. Anything
 * short of that — a pod of another image, a left-over, a pod someone created by hand with an
 * agent's name and labels — is never used. Pure.
 */
public final class AgentOwnership {

  private AgentOwnership() {}

  /**
   * Whether {@code pod} claims to be an agent for {@code spec} (it may still be forged): made from
   * its template, or a pod of the agent DaemonSet running its image.
   */
  public static boolean claims(Pod pod, AgentSpec spec) {
    return spec.node().equals(pod.getSpec() == null ? null : pod.getSpec().getNodeName())
        && (AgentTemplate.templateHash(spec).equals(label(pod))
            || (ofDaemonSet(pod) && runs(pod, spec.image())));
  }

  /** Whether the pod's controlling owner is (by name) the agent DaemonSet. */
  public static boolean ofDaemonSet(Pod pod) {
    return controller(pod)
        .filter(o -> "DaemonSet".equals(o.getKind()) && AgentNames.DAEMONSET.equals(o.getName()))
        .isPresent();
  }

  /**
   * Why a pod of the agent DaemonSet is not proven to serve {@code spec}, or empty when it is.
   *
   * @param daemonSet the agent DaemonSet, if it exists
   */
  public static Optional<String> whyNotOurs(
      Pod pod, AgentSpec spec, Optional<DaemonSet> daemonSet) {
    if (!claims(pod, spec) || !ofDaemonSet(pod)) {
      return Optional.of(
          "it is not a pod of DaemonSet "
              + AgentNames.DAEMONSET
              + " running image "
              + spec.image()
              + " on node "
              + spec.node());
    }
    String ownerUid = controller(pod).orElseThrow().getUid();
    if (daemonSet.isEmpty() || !daemonSet.get().getMetadata().getUid().equals(ownerUid)) {
      return Optional.of(
          "its owner is not DaemonSet " + AgentNames.DAEMONSET + " (UID " + ownerUid + ")");
    }
    return Optional.empty();
  }

  private static boolean runs(Pod pod, String image) {
    return pod.getSpec().getContainers().stream()
        .anyMatch(c -> AgentNames.CONTAINER.equals(c.getName()) && image.equals(c.getImage()));
  }

  /**
   * Why {@code pod} is not proven to be the agent of {@code spec}, or empty when it is.
   *
   * @param pod an agent pod that {@link #claims} the template
   * @param job the Job named {@link AgentNames#jobName} for {@code spec}, if it exists
   */
  public static Optional<String> whyNotOurs(Pod pod, Optional<Job> job, AgentSpec spec) {
    String hash = AgentTemplate.templateHash(spec);
    String jobName = AgentNames.jobName(spec.node(), hash);
    if (!claims(pod, spec)) {
      return Optional.of(
          "it is not made from this session's agent template (label "
              + AgentNames.TEMPLATE_LABEL
              + "="
              + label(pod)
              + ", expected "
              + hash
              + " on node "
              + spec.node()
              + ")");
    }
    Optional<OwnerReference> owner = controller(pod);
    if (owner.isEmpty()) {
      return Optional.of("no Job owns it (it was not created by agent job " + jobName + ")");
    }
    if (!"Job".equals(owner.get().getKind()) || !jobName.equals(owner.get().getName())) {
      return Optional.of(
          "its owner is "
              + owner.get().getKind()
              + " "
              + owner.get().getName()
              + ", not agent job "
              + jobName);
    }
    if (job.isEmpty()) {
      return Optional.of("its owner, agent job " + jobName + ", does not exist");
    }
    if (!hash.equals(label(job.get()))) {
      return Optional.of(
          "agent job "
              + jobName
              + " is not made from this template (label "
              + AgentNames.TEMPLATE_LABEL
              + "="
              + label(job.get())
              + ", expected "
              + hash
              + ")");
    }
    if (!job.get().getMetadata().getUid().equals(owner.get().getUid())) {
      return Optional.of(
          "its owner's UID "
              + owner.get().getUid()
              + " is not agent job "
              + jobName
              + "'s ("
              + job.get().getMetadata().getUid()
              + ")");
    }
    return Optional.empty();
  }

  /** The pod's controlling owner. */
  static Optional<OwnerReference> controller(Pod pod) {
    return Optional.ofNullable(pod.getMetadata().getOwnerReferences()).orElse(List.of()).stream()
        .filter(o -> Boolean.TRUE.equals(o.getController()))
        .findFirst();
  }

  private static String label(HasMetadata object) {
    return Optional.ofNullable(object.getMetadata().getLabels())
        .orElse(Map.of())
        .getOrDefault(AgentNames.TEMPLATE_LABEL, "(none)");
  }
}
