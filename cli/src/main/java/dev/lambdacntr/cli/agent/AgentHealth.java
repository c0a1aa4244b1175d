package dev.lambdacntr.cli.agent;

import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What state an agent pod is in, judged from its status and the kubelet's events. Pure. A broken
 * agent is never waited for: its reason is reported and the agent removed.
 */
public final class AgentHealth {

  /** Container waiting reasons the kubelet does not recover from without a change. */
  static final Set<String> FATAL_WAITING =
      Set.of(
          "ErrImagePull",
          "ImagePullBackOff",
          "InvalidImageName",
          "ErrImageNeverPull",
          "CreateContainerConfigError",
          "CreateContainerError",
          "RunContainerError",
          "CrashLoopBackOff",
          "PreCreateHookError",
          "PostStartHookError");

  /** The state of an agent pod. */
  public sealed interface State {}

  /** Not ready yet; {@code detail} says what it waits for. */
  public record Starting(String detail) implements State {}

  /** Ready for sessions. */
  public record Ready() implements State {}

  /** Will not become ready; {@code reason} is the kubelet's. */
  public record Broken(String reason) implements State {}

  private AgentHealth() {}

  /**
   * Judges an agent pod.
   *
   * @param pod the agent pod
   * @param warning the latest Warning event the kubelet recorded for it, if any
   */
  public static State of(Pod pod, Optional<Event> warning) {
    PodStatus status = Optional.ofNullable(pod.getStatus()).orElseGet(PodStatus::new);
    String phase = Objects.requireNonNullElse(status.getPhase(), "Pending");
    Optional<ContainerStatus> agent =
        Optional.ofNullable(status.getContainerStatuses()).orElse(List.of()).stream()
            .filter(c -> AgentNames.CONTAINER.equals(c.getName()))
            .findFirst();
    ContainerState state = agent.map(ContainerStatus::getState).orElseGet(ContainerState::new);
    if (state.getTerminated() != null) {
      return new Broken(terminated(state.getTerminated(), warning));
    }
    if (phase.equals("Failed") || phase.equals("Succeeded")) {
      return new Broken(
          "pod "
              + phase
              + Optional.ofNullable(status.getReason()).map(r -> ": " + r).orElse("")
              + Optional.ofNullable(status.getMessage()).map(m -> ": " + m).orElse(""));
    }
    ContainerStateWaiting waiting = state.getWaiting();
    // The kubelet's event says more than the status (and may come first): prefer it.
    Optional<String> fatalEvent = warning.filter(AgentHealth::isFatal).map(AgentHealth::text);
    if (fatalEvent.isPresent()) {
      return new Broken(fatalEvent.get());
    }
    if (waiting != null && FATAL_WAITING.contains(waiting.getReason())) {
      return new Broken(
          waiting.getReason()
              + ": "
              + Objects.requireNonNullElse(waiting.getMessage(), "no message"));
    }
    if (state.getRunning() != null && Boolean.TRUE.equals(agent.get().getReady())) {
      return new Ready();
    }
    return new Starting(
        waiting != null
            ? Objects.requireNonNullElse(waiting.getReason(), "waiting")
            : "pod " + phase);
  }

  /** Warning events that mean the pod will not start: pull failures, a missing hostPath. */
  static boolean isFatal(Event e) {
    String reason = Objects.requireNonNullElse(e.getReason(), "");
    String message = Objects.requireNonNullElse(e.getMessage(), "");
    return switch (reason) {
      case "Failed", "InspectFailed", "ErrImageNeverPull" -> true;
      case "FailedMount" -> message.contains("hostPath type check failed");
      default -> false;
    };
  }

  private static String terminated(ContainerStateTerminated t, Optional<Event> warning) {
    return "agent container exited with code "
        + t.getExitCode()
        + Optional.ofNullable(t.getReason()).map(r -> " (" + r + ")").orElse("")
        + Optional.ofNullable(t.getMessage()).map(m -> ": " + m).orElse("")
        + warning.map(e -> "; kubelet: " + text(e)).orElse("");
  }

  /** "ErrImagePull"-like reasons are in the message already: "Failed to pull image ...". */
  private static String text(Event e) {
    return "Failed".equals(e.getReason()) ? e.getMessage() : e.getReason() + ": " + e.getMessage();
  }
}
