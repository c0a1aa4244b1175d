package dev.lambdacntr.cli.agent;

import dev.lambdacntr.cli.Progress;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import dev.lambdacntr.target.ApiCall;
import dev.lambdacntr.target.KubeErrors;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Makes sure a ready agent runs on the target's node: reuses a fitting one (a ready agent: one list
 * request), else creates the agent Job and waits until its pod is ready, reporting a broken agent
 * with the kubelet's reason and removing it.
 */
public final class AgentProvisioner {

  private static final long POLL_MILLIS = 100;

  private final KubernetesClient client;
  private final KubeErrors errors;
  private final Progress progress;

  public AgentProvisioner(KubernetesClient client, KubeErrors errors, Progress progress) {
    this.client = client;
    this.errors = errors;
    this.progress = progress;
  }

  /** The agent pods on a node that are neither finished nor being deleted. */
  public List<Pod> agentsOn(String namespace, String node) {
    List<Pod> pods =
        errors.call(
            new ApiCall("list", "pods", namespace),
            () ->
                client
                    .pods()
                    .inNamespace(namespace)
                    .withLabels(AgentNames.selector())
                    .list()
                    .getItems());
    return onNode(pods, node);
  }

  /** Of the agent pods listed, those on {@code node} that are neither finished nor deleted. */
  public static List<Pod> onNode(List<Pod> pods, String node) {
    return pods.stream()
        .filter(p -> node.equals(p.getSpec().getNodeName()))
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .filter(p -> !isFinished(p))
        .toList();
  }

  /** A ready agent among {@code existing} that fits {@code spec}, found without a request. */
  public static Optional<AgentPod> reusable(AgentSpec spec, List<Pod> existing) {
    return existing.stream()
        .filter(p -> fits(p, spec))
        .findFirst()
        .filter(p -> AgentHealth.of(p, Optional.empty()) instanceof AgentHealth.Ready)
        .map(p -> new AgentPod(spec.namespace(), p.getMetadata().getName(), spec.node(), false));
  }

  /**
   * Returns a ready agent that fits {@code spec}, creating or replacing one when needed.
   *
   * @param spec the agent the session needs
   * @param existing what {@link #agentsOn} found on the node
   * @param deadline {@link System#nanoTime} by which the agent must be ready
   */
  public AgentPod ensure(AgentSpec spec, List<Pod> existing, long deadline) {
    Optional<Pod> fitting = existing.stream().filter(p -> fits(p, spec)).findFirst();
    if (fitting.isPresent()) {
      Pod pod = fitting.get();
      AgentHealth.State state = AgentHealth.of(pod, Optional.empty());
      if (state instanceof AgentHealth.Ready) {
        progress.detail("reusing agent pod " + ref(pod) + " on node " + spec.node());
        return new AgentPod(spec.namespace(), pod.getMetadata().getName(), spec.node(), false);
      }
      progress.cold();
      if (state instanceof AgentHealth.Broken broken) {
        throw fail(pod, spec.node(), broken.reason(), ExitCode.AGENT_FAILED);
      }
      progress.phase("waiting for agent pod " + ref(pod) + " on node " + spec.node());
      return await(spec, ownerUid(pod).orElse(""), pod.getMetadata().getName(), deadline);
    }
    progress.cold();
    for (Pod stale : existing) {
      if (ownerJob(stale).isPresent()) {
        progress.phase("replacing agent pod " + ref(stale) + ": " + mismatch(stale, spec));
        deleteJob(spec.namespace(), ownerJob(stale).get());
        awaitJobGone(spec.namespace(), ownerJob(stale).get(), deadline);
      }
    }
    progress.phase("creating agent on node " + spec.node() + " (image " + spec.image() + ")");
    Job job = create(spec, deadline);
    return await(spec, job.getMetadata().getUid(), "", deadline);
  }

  private Job create(AgentSpec spec, long deadline) {
    Job job = AgentTemplate.job(spec);
    ApiCall createJob = new ApiCall("create", "jobs.batch", spec.namespace());
    try {
      return client.batch().v1().jobs().inNamespace(spec.namespace()).resource(job).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        createNamespace(spec.namespace());
        return errors.call(
            createJob,
            () -> client.batch().v1().jobs().inNamespace(spec.namespace()).resource(job).create());
      }
      if (e.getCode() == 409) {
        return existingJob(spec, job.getMetadata().getName(), deadline);
      }
      throw errors.translate(createJob, e);
    }
  }

  /** The Job already exists: adopt it while it runs, else remove it and create ours. */
  private Job existingJob(AgentSpec spec, String name, long deadline) {
    Job current =
        errors.call(
            new ApiCall("get", "jobs.batch", spec.namespace()),
            () -> client.batch().v1().jobs().inNamespace(spec.namespace()).withName(name).get());
    if (current != null && !isFinished(current) && fits(current, spec)) {
      progress.phase("waiting for agent job " + spec.namespace() + "/" + name);
      return current;
    }
    if (current != null) {
      deleteJob(spec.namespace(), name);
      awaitJobGone(spec.namespace(), name, deadline);
    }
    Job job = AgentTemplate.job(spec);
    return errors.call(
        new ApiCall("create", "jobs.batch", spec.namespace()),
        () -> client.batch().v1().jobs().inNamespace(spec.namespace()).resource(job).create());
  }

  private void createNamespace(String namespace) {
    progress.phase("creating namespace " + namespace + " (PodSecurity privileged)");
    try {
      client.namespaces().resource(AgentTemplate.namespace(namespace)).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw errors.translate(ApiCall.cluster("create", "namespaces"), e);
      }
    }
  }

  /**
   * Waits until the agent pod owned by {@code jobUid} (or named {@code podName}) is ready, judging
   * it every {@value #POLL_MILLIS} ms from its status and the kubelet's events. Polling, not
   * watching: two list requests per tick in a namespace that holds only agents.
   */
  private AgentPod await(AgentSpec spec, String jobUid, String podName, long deadline) {
    String namespace = spec.namespace();
    String job = AgentNames.jobName(spec.node());
    Set<String> announced = new HashSet<>();
    boolean canReadEvents = true;
    while (true) {
      List<Pod> pods =
          errors.call(
              new ApiCall("list", "pods", namespace),
              () ->
                  client
                      .pods()
                      .inNamespace(namespace)
                      .withLabel(AgentNames.NODE_LABEL, AgentNames.nodeLabelValue(spec.node()))
                      .list()
                      .getItems());
      Optional<Pod> pod =
          pods.stream()
              .filter(
                  p ->
                      podName.isEmpty()
                          ? ownerUid(p).filter(jobUid::equals).isPresent()
                          : podName.equals(p.getMetadata().getName()))
              .max(Comparator.comparing(p -> p.getMetadata().getCreationTimestamp()));
      List<Event> events = List.of();
      if (canReadEvents) {
        try {
          events = client.v1().events().inNamespace(namespace).list().getItems();
        } catch (KubernetesClientException e) {
          // Without permission to read events the wait still works from the pod's status alone.
          progress.detail("cannot list events in " + namespace + ": " + e.getMessage());
          canReadEvents = false;
        }
      }
      if (pod.isPresent()) {
        List<Event> own = about(events, name(pod.get()));
        announce(own, announced, spec);
        AgentHealth.State state = AgentHealth.of(pod.get(), latestWarning(own));
        if (state instanceof AgentHealth.Ready) {
          progress.phase("agent ready: pod " + ref(pod.get()));
          return new AgentPod(namespace, name(pod.get()), spec.node(), true);
        }
        if (state instanceof AgentHealth.Broken broken) {
          throw fail(pod.get(), spec.node(), broken.reason(), ExitCode.AGENT_FAILED);
        }
      } else {
        Optional<Event> cannotCreate =
            latestWarning(about(events, job)).filter(e -> "FailedCreate".equals(e.getReason()));
        if (cannotCreate.isPresent()) {
          deleteJob(namespace, job);
          throw new CntrException(
              ExitCode.AGENT_FAILED,
              "agent job "
                  + namespace
                  + "/"
                  + job
                  + " cannot create its pod: "
                  + cannotCreate.get().getMessage()
                  + "; removed it");
        }
      }
      if (System.nanoTime() >= deadline) {
        if (pod.isPresent()) {
          AgentHealth.State last = AgentHealth.of(pod.get(), Optional.empty());
          String detail = last instanceof AgentHealth.Starting s ? s.detail() : last.toString();
          throw fail(
              pod.get(), spec.node(), "not ready in time (" + detail + ")", ExitCode.TIMEOUT);
        }
        deleteJob(namespace, job);
        throw new CntrException(
            ExitCode.TIMEOUT,
            "agent job " + namespace + "/" + job + " created no pod in time; removed it");
      }
      sleep(Math.min(POLL_MILLIS, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
    }
  }

  private static List<Event> about(List<Event> events, String object) {
    return events.stream()
        .filter(
            e -> e.getInvolvedObject() != null && object.equals(e.getInvolvedObject().getName()))
        .toList();
  }

  /**
   * The kubelet's latest telling warning: it follows "Failed to pull image X: WHY" with a bare
   * "Error: ErrImagePull", which says less.
   */
  static Optional<Event> latestWarning(List<Event> events) {
    List<Event> warnings = events.stream().filter(e -> "Warning".equals(e.getType())).toList();
    List<Event> telling =
        warnings.stream()
            .filter(e -> !Objects.requireNonNullElse(e.getMessage(), "").matches("Error: \\S+"))
            .toList();
    List<Event> pick = telling.isEmpty() ? warnings : telling;
    return pick.isEmpty() ? Optional.empty() : Optional.of(pick.get(pick.size() - 1));
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CntrException(ExitCode.INTERNAL, "interrupted while waiting for the agent", e);
    }
  }

  /** Progress lines for the kubelet's image events of the awaited pod, once each. */
  private void announce(List<Event> events, Set<String> announced, AgentSpec spec) {
    for (Event e : events) {
      String reason = Objects.requireNonNullElse(e.getReason(), "");
      if ((reason.equals("Pulling") || reason.equals("Pulled")) && announced.add(reason)) {
        progress.phase(
            reason.equals("Pulling")
                ? "pulling image " + spec.image() + " on node " + spec.node()
                : "image ready: " + e.getMessage());
      }
    }
  }

  /** Reports a broken agent and removes it (its Job, so nothing restarts it). */
  private CntrException fail(Pod pod, String node, String reason, ExitCode code) {
    String removal;
    Optional<String> job = ownerJob(pod);
    if (job.isEmpty()) {
      removal = "; it is not a Job's agent (a DaemonSet's?), so it was left in place";
    } else {
      try {
        deleteJob(pod.getMetadata().getNamespace(), job.get());
        deletePod(pod);
        removal = "; removed it";
      } catch (CntrException e) {
        removal = "; could not remove it: " + e.getMessage();
      }
    }
    return new CntrException(
        code, "agent pod " + ref(pod) + " on node " + node + " failed: " + reason + removal);
  }

  private void deleteJob(String namespace, String name) {
    errors.run(
        new ApiCall("delete", "jobs.batch", namespace),
        () ->
            client
                .batch()
                .v1()
                .jobs()
                .inNamespace(namespace)
                .withName(name)
                .withPropagationPolicy(DeletionPropagation.BACKGROUND)
                .delete());
  }

  /** Deletes the pod itself too, so it stops now rather than when the garbage collector acts. */
  private void deletePod(Pod pod) {
    String namespace = pod.getMetadata().getNamespace();
    errors.run(
        new ApiCall("delete", "pods", namespace),
        () -> client.pods().inNamespace(namespace).withName(name(pod)).delete());
  }

  private void awaitJobGone(String namespace, String name, long deadline) {
    while (errors.call(
            new ApiCall("get", "jobs.batch", namespace),
            () -> client.batch().v1().jobs().inNamespace(namespace).withName(name).get())
        != null) {
      if (System.nanoTime() > deadline) {
        throw new CntrException(
            ExitCode.TIMEOUT, "agent job " + namespace + "/" + name + " was not deleted in time");
      }
      sleep(POLL_MILLIS);
    }
  }

  /** Whether an existing agent pod serves {@code spec}: same node and image. */
  static boolean fits(Pod pod, AgentSpec spec) {
    return spec.node().equals(pod.getSpec().getNodeName())
        && agentImage(pod).equals(Optional.of(spec.image()));
  }

  private static boolean fits(Job job, AgentSpec spec) {
    return job.getSpec().getTemplate().getSpec().getContainers().stream()
        .map(Container::getImage)
        .anyMatch(spec.image()::equals);
  }

  private static String mismatch(Pod pod, AgentSpec spec) {
    return "it runs image "
        + agentImage(pod).orElse("(none)")
        + ", this session needs "
        + spec.image();
  }

  private static Optional<String> agentImage(Pod pod) {
    return pod.getSpec().getContainers().stream()
        .filter(c -> AgentNames.CONTAINER.equals(c.getName()))
        .map(Container::getImage)
        .findFirst();
  }

  private static Optional<String> ownerJob(Pod pod) {
    return owner(pod).map(OwnerReference::getName);
  }

  private static Optional<String> ownerUid(Pod pod) {
    return owner(pod).map(OwnerReference::getUid);
  }

  private static Optional<OwnerReference> owner(Pod pod) {
    return Optional.ofNullable(pod.getMetadata().getOwnerReferences()).orElse(List.of()).stream()
        .filter(o -> "Job".equals(o.getKind()))
        .findFirst();
  }

  private static boolean isFinished(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return "Succeeded".equals(phase) || "Failed".equals(phase);
  }

  private static boolean isFinished(Job job) {
    if (job.getMetadata().getDeletionTimestamp() != null) {
      return true;
    }
    List<JobCondition> conditions =
        job.getStatus() == null || job.getStatus().getConditions() == null
            ? List.of()
            : job.getStatus().getConditions();
    return conditions.stream()
        .anyMatch(
            c ->
                ("Complete".equals(c.getType()) || "Failed".equals(c.getType()))
                    && "True".equals(c.getStatus()));
  }

  private static String name(Pod pod) {
    return pod.getMetadata().getName();
  }

  private static String ref(Pod pod) {
    return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
  }
}
