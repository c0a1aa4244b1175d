package dev.lambdacntr.cli.watch;

import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether a session's target has ended or is ending, read from its pod: deleted, being deleted
 * (scale-down, drain, eviction), its container terminated or replaced. Pure, for the watch and for
 * the check when a session ends.
 */
public final class TargetEnd {

  private TargetEnd() {}

  /**
   * Why the container {@code containerId} (named {@code container}) of the pod is gone or going, or
   * empty while it runs. {@code pod} is empty when the pod no longer exists. An empty {@code
   * containerId} (server mode: the gateway alone knew it) cannot tell a restart; an empty {@code
   * container} looks at the pod only.
   */
  public static Optional<String> of(
      String namespace, String podName, String container, String containerId, Optional<Pod> pod) {
    String ref = "pod " + namespace + "/" + podName;
    if (pod.isEmpty()) {
      return Optional.of(ref + " was deleted");
    }
    Pod p = pod.get();
    if (p.getMetadata().getDeletionTimestamp() != null) {
      return Optional.of(ref + " was deleted" + why(p));
    }
    String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
    if ("Failed".equals(phase) || "Succeeded".equals(phase)) {
      return Optional.of(ref + " ended (phase " + phase + ")" + why(p));
    }
    List<ContainerStatus> statuses =
        p.getStatus() == null || p.getStatus().getContainerStatuses() == null
            ? List.of()
            : p.getStatus().getContainerStatuses();
    for (ContainerStatus status : statuses) {
      if (!container.equals(status.getName())) {
        continue;
      }
      String id = Objects.requireNonNullElse(status.getContainerID(), "");
      if (!id.isEmpty() && !containerId.isEmpty() && !id.endsWith("://" + containerId)) {
        return Optional.of("container " + container + " of " + ref + " was restarted");
      }
      ContainerStateTerminated terminated =
          Optional.ofNullable(status.getState()).map(ContainerState::getTerminated).orElse(null);
      if (terminated != null) {
        return Optional.of(
            "container "
                + container
                + " of "
                + ref
                + " terminated (exit code "
                + terminated.getExitCode()
                + Optional.ofNullable(terminated.getReason()).map(r -> ", " + r).orElse("")
                + ")");
      }
    }
    return Optional.empty();
  }

  /** The disruption condition the control plane set, else who owns the pod. */
  private static String why(Pod pod) {
    Optional<PodCondition> disruption =
        Optional.ofNullable(pod.getStatus()).map(s -> s.getConditions()).orElse(List.of()).stream()
            .filter(c -> "DisruptionTarget".equals(c.getType()) && "True".equals(c.getStatus()))
            .findFirst();
    if (disruption.isPresent()) {
      PodCondition c = disruption.get();
      return " ("
          + Objects.requireNonNullElse(c.getReason(), "DisruptionTarget")
          + Optional.ofNullable(c.getMessage())
              .filter(m -> !m.isBlank())
              .map(m -> ": " + m)
              .orElse("")
          + ")";
    }
    List<OwnerReference> owners = pod.getMetadata().getOwnerReferences();
    return owners == null || owners.isEmpty()
        ? ""
        : " (owner " + owners.get(0).getKind() + " " + owners.get(0).getName() + ")";
  }
}
