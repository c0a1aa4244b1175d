package dev.lambdacntr.target;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Pod name (and container name) to node and container ID, with a specific error for every way that
 * can fail. {@link #select} is pure; {@link #resolve} adds the API calls.
 */
public final class TargetResolver {

  /** The annotation kubectl also honours when a pod has several containers and none is named. */
  public static final String DEFAULT_CONTAINER_ANNOTATION =
      "kubectl.kubernetes.io/default-container";

  private final KubernetesClient client;
  private final KubeErrors errors;

  public TargetResolver(KubernetesClient client, KubeErrors errors) {
    this.client = client;
    this.errors = errors;
  }

  /** Which run of the container a session is for. */
  public enum Run {
    /** The one running now: a session enters its processes. */
    CURRENT,
    /**
     * The last one that ended (the current state if it has ended, else the last state): a
     * post-mortem session looks at what it left.
     */
    LAST_ENDED
  }

  /** Reads the pod and selects the container's current run. */
  public Target resolve(String namespace, String podName, Optional<String> container) {
    return resolve(namespace, podName, container, Run.CURRENT);
  }

  /** Reads the pod and selects the container's {@code run}. */
  public Target resolve(String namespace, String podName, Optional<String> container, Run run) {
    Pod pod =
        errors.call(
            new ApiCall("get", "pods", namespace),
            () -> client.pods().inNamespace(namespace).withName(podName).get());
    if (pod == null) {
      throw new CntrException(
          ExitCode.POD_NOT_FOUND,
          "pod " + namespace + "/" + podName + " not found" + suggestions(namespace, podName));
    }
    return select(pod, container, run);
  }

  /**
   * "; did you mean A, B?" for the pods of {@code namespace} whose names are close to {@code
   * podName}, or empty (none close, or no right to list them).
   */
  public String suggestions(String namespace, String podName) {
    List<String> names;
    try {
      names =
          client.pods().inNamespace(namespace).list().getItems().stream()
              .map(HasMetadata::getMetadata)
              .map(m -> m.getName())
              .toList();
    } catch (RuntimeException e) {
      return ""; // no list permission: no suggestions, the error stays "not found"
    }
    List<String> close = NameSuggestions.closest(podName, names, 3);
    return close.isEmpty() ? "" : "; did you mean " + String.join(", ", close) + "?";
  }

  /** Checks the pod and picks the container's current run. */
  public static Target select(Pod pod, Optional<String> requested) {
    return select(pod, requested, Run.CURRENT);
  }

  /**
   * Checks the pod and picks the container's {@code run}; every refusal names pod, container and
   * reason.
   */
  public static Target select(Pod pod, Optional<String> requested, Run run) {
    String ref = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    PodSpec spec = pod.getSpec();
    PodStatus status = Optional.ofNullable(pod.getStatus()).orElseGet(PodStatus::new);
    String container = requested.orElseGet(() -> defaultContainer(pod, ref));
    requireAppContainer(spec, ref, container);
    if (pod.getMetadata().getDeletionTimestamp() != null) {
      throw new CntrException(ExitCode.POD_NOT_RUNNING, "pod " + ref + " is terminating");
    }
    String phase = Optional.ofNullable(status.getPhase()).orElse("Unknown");
    if (!phase.equals("Running")) {
      throw new CntrException(
          ExitCode.POD_NOT_RUNNING, "pod " + ref + " is " + phase + podReason(status));
    }
    ContainerStatus cs =
        list(status.getContainerStatuses()).stream()
            .filter(s -> container.equals(s.getName()))
            .findFirst()
            .orElseThrow(
                () ->
                    new CntrException(
                        ExitCode.CONTAINER_NOT_RUNNING,
                        "container " + container + " of pod " + ref + " has no status yet"));
    String id;
    if (run == Run.CURRENT) {
      requireRunning(cs, ref);
      id = Objects.requireNonNullElse(cs.getContainerID(), "");
    } else {
      id = lastEnded(cs).map(ContainerStateTerminated::getContainerID).orElse("");
      if (id.isEmpty()) {
        throw new CntrException(
            ExitCode.CONTAINER_NOT_RUNNING,
            "container "
                + container
                + " of pod "
                + ref
                + " has no ended run to look at: it has not exited since it started, or the"
                + " kubelet has removed what its last run left");
      }
    }
    int scheme = id.indexOf("://");
    if (scheme < 0 || spec.getNodeName() == null) {
      throw new CntrException(
          ExitCode.CONTAINER_NOT_RUNNING,
          "container " + container + " of pod " + ref + " has no container ID yet");
    }
    if (run == Run.LAST_ENDED && !id.startsWith("containerd://")) {
      // the agent finds an ended run's files through containerd's CRI and snapshots (the test
      // bed's Docker and CRI-O nodes showed each failing its own way further on)
      throw new CntrException(
          ExitCode.AGENT_RUNTIME_ERROR,
          "container "
              + container
              + " of pod "
              + ref
              + " ran on "
              + id.substring(0, scheme)
              + " (node "
              + spec.getNodeName()
              + "): post-mortem sessions need containerd, whose CRI and snapshots keep what an"
              + " ended run left; kubectl logs --previous shows its log");
    }
    return new Target(
        pod.getMetadata().getNamespace(),
        pod.getMetadata().getName(),
        Objects.requireNonNullElse(pod.getMetadata().getUid(), ""),
        container,
        spec.getNodeName(),
        id.substring(scheme + 3),
        id.substring(0, scheme),
        Boolean.TRUE.equals(spec.getHostNetwork()),
        run);
  }

  private static String defaultContainer(Pod pod, String ref) {
    List<String> names = names(pod.getSpec().getContainers());
    if (names.size() == 1) {
      return names.get(0);
    }
    Optional<String> annotated =
        Optional.ofNullable(pod.getMetadata().getAnnotations())
            .map(a -> a.get(DEFAULT_CONTAINER_ANNOTATION))
            .filter(names::contains);
    return annotated.orElseThrow(
        () ->
            new CntrException(
                ExitCode.CONTAINER_AMBIGUOUS,
                "pod "
                    + ref
                    + " has "
                    + names.size()
                    + " containers; name one of: "
                    + String.join(", ", names)));
  }

  private static void requireAppContainer(PodSpec spec, String ref, String container) {
    List<String> app = names(spec.getContainers());
    if (app.contains(container)) {
      return;
    }
    String apps = String.join(", ", app);
    if (names(spec.getInitContainers()).contains(container)) {
      throw new CntrException(
          ExitCode.CONTAINER_UNSUPPORTED,
          container
              + " is an init container of pod "
              + ref
              + "; lambda-cntr enters running app containers: "
              + apps);
    }
    if (list(spec.getEphemeralContainers()).stream().anyMatch(e -> container.equals(e.getName()))) {
      throw new CntrException(
          ExitCode.CONTAINER_UNSUPPORTED,
          container
              + " is an ephemeral container of pod "
              + ref
              + "; lambda-cntr enters running app containers: "
              + apps);
    }
    throw new CntrException(
        ExitCode.CONTAINER_NOT_FOUND,
        "pod " + ref + " has no container " + container + "; its containers: " + apps);
  }

  /** The run that ended last: the current state when it has ended, else the last state. */
  private static Optional<ContainerStateTerminated> lastEnded(ContainerStatus cs) {
    return Optional.ofNullable(cs.getState())
        .map(ContainerState::getTerminated)
        .or(() -> Optional.ofNullable(cs.getLastState()).map(ContainerState::getTerminated));
  }

  /** What a refusal of a container that has ended says it can do instead: its last words. */
  public static final String POST_MORTEM_HINT =
      "; --post-mortem opens a session in what its last run left";

  private static void requireRunning(ContainerStatus cs, String ref) {
    ContainerState state = Optional.ofNullable(cs.getState()).orElseGet(ContainerState::new);
    String what = "container " + cs.getName() + " of pod " + ref;
    ContainerStateWaiting waiting = state.getWaiting();
    if (waiting != null) {
      String reason = Objects.requireNonNullElse(waiting.getReason(), "Waiting");
      String last =
          Optional.ofNullable(cs.getLastState())
              .map(ContainerState::getTerminated)
              .map(t -> "; last exit code " + t.getExitCode() + reasonOf(t.getReason()))
              .orElse("");
      throw new CntrException(
          ExitCode.CONTAINER_NOT_RUNNING,
          what
              + " is not running: "
              + reason
              + messageOf(waiting.getMessage())
              + last
              + "; restarts: "
              + Objects.requireNonNullElse(cs.getRestartCount(), 0)
              + (last.isEmpty() ? "" : POST_MORTEM_HINT));
    }
    ContainerStateTerminated terminated = state.getTerminated();
    if (terminated != null) {
      throw new CntrException(
          ExitCode.CONTAINER_NOT_RUNNING,
          what
              + " has terminated: exit code "
              + terminated.getExitCode()
              + reasonOf(terminated.getReason())
              + messageOf(terminated.getMessage())
              + POST_MORTEM_HINT);
    }
    if (state.getRunning() == null) {
      throw new CntrException(ExitCode.CONTAINER_NOT_RUNNING, what + " is not running yet");
    }
  }

  private static String podReason(PodStatus status) {
    Stream<String> waiting =
        list(status.getContainerStatuses()).stream()
            .map(ContainerStatus::getState)
            .filter(Objects::nonNull)
            .map(ContainerState::getWaiting)
            .filter(Objects::nonNull)
            .map(w -> w.getReason() + messageOf(w.getMessage()));
    Stream<String> conditions =
        list(status.getConditions()).stream()
            .filter(c -> "False".equals(c.getStatus()) && c.getReason() != null)
            .map(c -> conditionText(c));
    Stream<String> own =
        Stream.of(status.getReason(), status.getMessage()).filter(Objects::nonNull);
    String reasons =
        Stream.of(own, conditions, waiting)
            .flatMap(s -> s)
            .distinct()
            .collect(Collectors.joining("; "));
    return reasons.isEmpty() ? "" : ": " + reasons;
  }

  private static String conditionText(PodCondition c) {
    return c.getType() + " " + c.getReason() + messageOf(c.getMessage());
  }

  private static String reasonOf(String reason) {
    return reason == null ? "" : " (" + reason + ")";
  }

  private static String messageOf(String message) {
    return message == null || message.isBlank() ? "" : " (" + message + ")";
  }

  private static List<String> names(List<Container> containers) {
    return list(containers).stream().map(Container::getName).toList();
  }

  private static <T> List<T> list(List<T> items) {
    return items == null ? List.of() : items;
  }
}
