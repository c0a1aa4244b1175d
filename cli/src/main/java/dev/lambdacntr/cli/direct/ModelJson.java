package dev.lambdacntr.cli.direct;

import dev.lambdacntr.protocol.Json;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateRunning;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.EphemeralContainer;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.StatusDetails;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The API objects of direct requests, read from parsed JSON ({@link Json}) into the client
 * library's model classes, so the same pure rules ({@code TargetResolver.select}, {@code
 * AgentHealth}, {@code ExecOutcome}) judge them. Only the fields those rules read are filled in;
 * absent lists and maps are empty, as the library's reading leaves them. Pure.
 */
public final class ModelJson {

  private ModelJson() {}

  /** A Pod: metadata, containers, status. */
  public static Pod pod(Object json) {
    Pod pod = new Pod();
    pod.setMetadata(meta(json));
    Json.object(json, "spec")
        .ifPresent(
            s -> {
              PodSpec spec = new PodSpec();
              spec.setNodeName(Json.string(s, "nodeName").orElse(null));
              spec.setHostNetwork(Boolean.TRUE.equals(s.get("hostNetwork")));
              spec.setContainers(list(s, "containers", ModelJson::container));
              spec.setInitContainers(list(s, "initContainers", ModelJson::container));
              spec.setEphemeralContainers(
                  list(
                      s,
                      "ephemeralContainers",
                      c -> {
                        EphemeralContainer e = new EphemeralContainer();
                        e.setName(Json.string(c, "name").orElse(null));
                        e.setImage(Json.string(c, "image").orElse(null));
                        return e;
                      }));
              pod.setSpec(spec);
            });
    Json.object(json, "status")
        .ifPresent(
            s -> {
              PodStatus status = new PodStatus();
              status.setPhase(Json.string(s, "phase").orElse(null));
              status.setReason(Json.string(s, "reason").orElse(null));
              status.setMessage(Json.string(s, "message").orElse(null));
              status.setConditions(
                  list(
                      s,
                      "conditions",
                      c -> {
                        PodCondition pc = new PodCondition();
                        pc.setType(Json.string(c, "type").orElse(null));
                        pc.setStatus(Json.string(c, "status").orElse(null));
                        pc.setReason(Json.string(c, "reason").orElse(null));
                        pc.setMessage(Json.string(c, "message").orElse(null));
                        return pc;
                      }));
              status.setContainerStatuses(list(s, "containerStatuses", ModelJson::containerStatus));
              pod.setStatus(status);
            });
    return pod;
  }

  /** A Job's metadata, what proving an agent pod its own needs (its spec is not read). */
  public static Job jobMetadata(Object json) {
    Job job = new Job();
    job.setMetadata(meta(json));
    return job;
  }

  /** A DaemonSet's metadata, what proving an agent pod its own needs. */
  public static DaemonSet daemonSetMetadata(Object json) {
    DaemonSet daemonSet = new DaemonSet();
    daemonSet.setMetadata(meta(json));
    return daemonSet;
  }

  /** The items of a PodList. */
  public static List<Pod> pods(Object list) {
    return Json.array(list, "items").stream().map(ModelJson::pod).toList();
  }

  /** A Status, as the exec error channel sends it. */
  public static Status status(Object json) {
    Status status = new Status();
    status.setStatus(Json.string(json, "status").orElse(null));
    status.setReason(Json.string(json, "reason").orElse(null));
    status.setMessage(Json.string(json, "message").orElse(null));
    Json.object(json, "details")
        .ifPresent(
            d -> {
              StatusDetails details = new StatusDetails();
              details.setCauses(
                  list(
                      d,
                      "causes",
                      c -> {
                        StatusCause cause = new StatusCause();
                        cause.setReason(Json.string(c, "reason").orElse(null));
                        cause.setMessage(Json.string(c, "message").orElse(null));
                        return cause;
                      }));
              status.setDetails(details);
            });
    return status;
  }

  private static ObjectMeta meta(Object json) {
    ObjectMeta meta = new ObjectMeta();
    Json.object(json, "metadata")
        .ifPresent(
            m -> {
              meta.setName(Json.string(m, "name").orElse(null));
              meta.setNamespace(Json.string(m, "namespace").orElse(null));
              meta.setUid(Json.string(m, "uid").orElse(null));
              meta.setCreationTimestamp(Json.string(m, "creationTimestamp").orElse(null));
              meta.setDeletionTimestamp(Json.string(m, "deletionTimestamp").orElse(null));
              meta.setLabels(strings(m, "labels"));
              meta.setAnnotations(strings(m, "annotations"));
              meta.setOwnerReferences(
                  list(
                      m,
                      "ownerReferences",
                      o -> {
                        OwnerReference ref = new OwnerReference();
                        ref.setKind(Json.string(o, "kind").orElse(null));
                        ref.setName(Json.string(o, "name").orElse(null));
                        ref.setUid(Json.string(o, "uid").orElse(null));
                        ref.setApiVersion(Json.string(o, "apiVersion").orElse(null));
                        ref.setController(
                            Json.path(o, "controller").filter(Boolean.TRUE::equals).isPresent());
                        return ref;
                      }));
            });
    return meta;
  }

  private static Container container(Object json) {
    Container c = new Container();
    c.setName(Json.string(json, "name").orElse(null));
    c.setImage(Json.string(json, "image").orElse(null));
    return c;
  }

  private static ContainerStatus containerStatus(Object json) {
    ContainerStatus cs = new ContainerStatus();
    cs.setName(Json.string(json, "name").orElse(null));
    cs.setContainerID(Json.string(json, "containerID").orElse(null));
    cs.setImage(Json.string(json, "image").orElse(null));
    cs.setReady(bool(json, "ready"));
    cs.setRestartCount(integer(json, "restartCount"));
    Json.object(json, "state").map(ModelJson::state).ifPresent(cs::setState);
    Json.object(json, "lastState").map(ModelJson::state).ifPresent(cs::setLastState);
    return cs;
  }

  private static ContainerState state(Object json) {
    ContainerState state = new ContainerState();
    Json.object(json, "waiting")
        .ifPresent(
            w ->
                state.setWaiting(
                    new ContainerStateWaiting(
                        Json.string(w, "message").orElse(null),
                        Json.string(w, "reason").orElse(null))));
    Json.object(json, "running")
        .ifPresent(
            r ->
                state.setRunning(
                    new ContainerStateRunning(Json.string(r, "startedAt").orElse(null))));
    Json.object(json, "terminated")
        .ifPresent(
            t -> {
              ContainerStateTerminated terminated = new ContainerStateTerminated();
              terminated.setExitCode(integer(t, "exitCode"));
              terminated.setSignal(integer(t, "signal"));
              terminated.setReason(Json.string(t, "reason").orElse(null));
              terminated.setMessage(Json.string(t, "message").orElse(null));
              terminated.setContainerID(Json.string(t, "containerID").orElse(null));
              state.setTerminated(terminated);
            });
    return state;
  }

  private static <T> List<T> list(Object json, String key, Function<Object, T> item) {
    return new ArrayList<>(Json.array(json, key).stream().map(item).toList());
  }

  private static Map<String, String> strings(Object json, String key) {
    Map<String, String> out = new LinkedHashMap<>();
    Json.object(json, key)
        .orElse(Map.of())
        .forEach((k, v) -> out.put(k, v == null ? null : v.toString()));
    return out;
  }

  private static Boolean bool(Object json, String key) {
    Object v = Json.object(json).map(m -> m.get(key)).orElse(null);
    return v instanceof Boolean b ? b : null;
  }

  private static Integer integer(Object json, String key) {
    Object v = Json.object(json).map(m -> m.get(key)).orElse(null);
    return v instanceof Long l ? Integer.valueOf(l.intValue()) : null;
  }
}
