package dev.lambdacntr.cli.agent;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The agent Job and its namespace, built from an {@link AgentSpec} and nothing else (no API calls),
 * so the whole object can be compared in a unit test.
 *
 * <p>The Job ({@code backoffLimit: 0}, {@code ttlSecondsAfterFinished: 0}) owns one privileged
 * {@code hostPID} pod pinned to the node. Its main process, {@value #IDLE_PROGRAM}, exits after the
 * idle time when no session marker is left in {@value #SESSIONS_DIRECTORY}; the Job then completes
 * and Kubernetes deletes Job and pod without anyone acting.
 */
public final class AgentTemplate {

  /** The agent pod's main process, provided by the debug image. */
  public static final String IDLE_PROGRAM = "lambda-cntr-agent-idle";

  /** Where sessions leave their markers (an in-memory emptyDir). */
  public static final String SESSIONS_DIRECTORY = "/run/lambda-cntr/sessions";

  static final String CPU_REQUEST = "10m";
  static final String MEMORY_REQUEST = "64Mi";
  static final String CPU_LIMIT = "1";
  static final String MEMORY_LIMIT = "512Mi";

  private AgentTemplate() {}

  /** The namespace agents live in, labelled so PodSecurity admits privileged pods there. */
  public static Namespace namespace(String name) {
    return new NamespaceBuilder()
        .withNewMetadata()
        .withName(name)
        .withLabels(
            sorted(
                Map.of(
                    AgentNames.POD_SECURITY_LABEL,
                    "privileged",
                    AgentNames.MANAGED_BY_LABEL,
                    AgentNames.MANAGED_BY_VALUE)))
        .endMetadata()
        .build();
  }

  /**
   * The agent Job for a node and image, named and labelled with its {@link #templateHash}: the pod
   * it makes carries the label too.
   */
  public static Job job(AgentSpec spec) {
    String hash = templateHash(spec);
    Map<String, String> labels = new TreeMap<>(AgentNames.labels(spec.node()));
    labels.put(AgentNames.TEMPLATE_LABEL, hash);
    return new JobBuilder()
        .withNewMetadata()
        .withName(AgentNames.jobName(spec.node(), hash))
        .withNamespace(spec.namespace())
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .withBackoffLimit(0)
        .withTtlSecondsAfterFinished(0)
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(labels)
        .endMetadata()
        .withSpec(podSpec(spec))
        .endTemplate()
        .endSpec()
        .build();
  }

  /**
   * The hash of the agent pod's template for {@code spec}: the model's rendering of every field
   * (node, image, command with its idle timeout, security context, volumes), so any change to what
   * the CLI would create — a spec's or this class's — gives another hash, hence another Job. The
   * namespace is hashed too: the same node and image in two agent namespaces are two agents.
   */
  public static String templateHash(AgentSpec spec) {
    return AgentNames.hash(
        spec.namespace() + "\n" + sorted(AgentNames.labels(spec.node())) + "\n" + podSpec(spec));
  }

  /**
   * The agent's main command: {@code lambda-cntr-agent-idle --idle-timeout SECONDS}. It watches
   * {@value #SESSIONS_DIRECTORY}, its default.
   */
  public static List<String> idleCommand(AgentSpec spec) {
    return List.of(IDLE_PROGRAM, "--idle-timeout", Long.toString(spec.idleTimeout().toSeconds()));
  }

  private static PodSpec podSpec(AgentSpec spec) {
    List<Volume> volumes = new ArrayList<>();
    List<VolumeMount> mounts = new ArrayList<>();
    volumes.add(
        new VolumeBuilder()
            .withName("sessions")
            .withNewEmptyDir()
            .withMedium("Memory")
            .withSizeLimit(new Quantity("1Mi"))
            .endEmptyDir()
            .build());
    mounts.add(
        new VolumeMountBuilder().withName("sessions").withMountPath(SESSIONS_DIRECTORY).build());
    // the root file system is read-only (the agent's binaries are what every session runs); the
    // JVM's scratch files go here
    volumes.add(
        new VolumeBuilder()
            .withName("tmp")
            .withNewEmptyDir()
            .withMedium("Memory")
            .withSizeLimit(new Quantity("16Mi"))
            .endEmptyDir()
            .build());
    mounts.add(new VolumeMountBuilder().withName("tmp").withMountPath("/tmp").build());
    return new PodSpecBuilder()
        .withNodeName(spec.node())
        .withHostPID(true)
        .withHostNetwork(true)
        .withDnsPolicy("Default")
        .withRestartPolicy("Never")
        .withAutomountServiceAccountToken(false)
        .withEnableServiceLinks(false)
        .withTerminationGracePeriodSeconds(5L)
        .addNewToleration()
        .withOperator("Exists")
        .endToleration()
        .withContainers(container(spec, mounts))
        .withVolumes(volumes)
        .build();
  }

  private static Container container(AgentSpec spec, List<VolumeMount> mounts) {
    return new ContainerBuilder()
        .withName(AgentNames.CONTAINER)
        .withImage(spec.image())
        .withImagePullPolicy("IfNotPresent")
        .withCommand(idleCommand(spec))
        .withNewSecurityContext()
        .withPrivileged(true)
        .withRunAsUser(0L)
        .withReadOnlyRootFilesystem(true)
        .endSecurityContext()
        .withNewResources()
        .withRequests(
            sorted(
                Map.of("cpu", new Quantity(CPU_REQUEST), "memory", new Quantity(MEMORY_REQUEST))))
        .withLimits(
            sorted(Map.of("cpu", new Quantity(CPU_LIMIT), "memory", new Quantity(MEMORY_LIMIT))))
        .endResources()
        .withVolumeMounts(mounts)
        .build();
  }

  private static <V> Map<String, V> sorted(Map<String, V> map) {
    return new TreeMap<>(map);
  }
}
