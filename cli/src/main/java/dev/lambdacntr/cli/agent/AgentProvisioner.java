package dev.lambdacntr.cli.agent;

import dev.lambdacntr.cli.Progress;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import dev.lambdacntr.target.ApiCall;
import dev.lambdacntr.target.KubeErrors;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Makes sure a ready agent for the session's image runs on the target's node: reuses the one made
 * from the same template when it is proven to be its Job's ({@link AgentOwnership}), else creates
 * that Job and watches until its pod is ready, reporting a broken agent with the kubelet's reason
 * and removing it. Agents of other images on the node are never touched.
 */
public final class AgentProvisioner {

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

  /**
   * A ready pod among {@code existing} that claims {@code spec}'s template, found without a
   * request; it is used only once {@link AgentOwnership#whyNotOurs} proved it against its Job.
   */
  public static Optional<Pod> readyClaimant(AgentSpec spec, List<Pod> existing) {
    return existing.stream()
        .filter(p -> AgentOwnership.claims(p, spec))
        .filter(p -> AgentHealth.of(p, Optional.empty()) instanceof AgentHealth.Ready)
        .findFirst();
  }

  /**
   * Returns a ready agent made from {@code spec}'s template, creating its Job when needed. Agents
   * of other images or idle timeouts on the node are other Jobs, left alone (they may carry
   * sessions; they end by themselves when idle); a pod that claims the template but is not proven
   * to be its Job's is reported and never used.
   *
   * @param spec the agent the session needs
   * @param existing what {@link #agentsOn} found on the node
   * @param deadline {@link System#nanoTime} by which the agent must be ready
   */
  public AgentPod ensure(AgentSpec spec, List<Pod> existing, long deadline) {
    List<Pod> claimants =
        existing.stream()
            .filter(p -> AgentOwnership.claims(p, spec))
            .sorted(Comparator.comparing(p -> p.getMetadata().getCreationTimestamp()))
            .toList();
    String jobName = AgentNames.jobName(spec.node(), AgentTemplate.templateHash(spec));
    Optional<Job> job =
        claimants.stream().anyMatch(p -> !AgentOwnership.ofDaemonSet(p))
            ? getJob(spec.namespace(), jobName)
            : Optional.empty();
    Optional<DaemonSet> daemonSet =
        claimants.stream().anyMatch(AgentOwnership::ofDaemonSet)
            ? getDaemonSet(spec.namespace())
            : Optional.empty();
    for (Pod pod : claimants) {
      boolean ofDaemonSet = AgentOwnership.ofDaemonSet(pod);
      Optional<String> notOurs =
          ofDaemonSet
              ? AgentOwnership.whyNotOurs(pod, spec, daemonSet)
              : AgentOwnership.whyNotOurs(pod, job, spec);
      if (notOurs.isPresent()) {
        progress.phase(
            "not using pod " + ref(pod) + " on node " + spec.node() + ": " + notOurs.get());
        continue;
      }
      AgentHealth.State state = AgentHealth.of(pod, Optional.empty());
      if (state instanceof AgentHealth.Ready) {
        progress.detail("reusing agent pod " + ref(pod) + " on node " + spec.node());
        return new AgentPod(spec.namespace(), name(pod), spec.node(), false);
      }
      if (ofDaemonSet) {
        // the DaemonSet's controller restarts its pod; this session starts its own Job instead
        progress.detail(
            "agent pod "
                + ref(pod)
                + " of DaemonSet "
                + AgentNames.DAEMONSET
                + " is not ready: "
                + state);
        continue;
      }
      progress.cold();
      if (state instanceof AgentHealth.Broken broken) {
        throw fail(pod, spec.node(), broken.reason(), ExitCode.AGENT_FAILED);
      }
      progress.phase("waiting for agent pod " + ref(pod) + " on node " + spec.node());
      return await(spec, job.orElseThrow(), deadline);
    }
    progress.cold();
    progress.phase("creating agent on node " + spec.node() + " (image " + spec.image() + ")");
    return await(spec, create(spec, deadline), deadline);
  }

  private Optional<Job> getJob(String namespace, String name) {
    return Optional.ofNullable(
        errors.call(
            new ApiCall("get", "jobs.batch", namespace),
            () -> client.batch().v1().jobs().inNamespace(namespace).withName(name).get()));
  }

  private Optional<DaemonSet> getDaemonSet(String namespace) {
    return Optional.ofNullable(
        errors.call(
            new ApiCall("get", "daemonsets.apps", namespace),
            () ->
                client
                    .apps()
                    .daemonSets()
                    .inNamespace(namespace)
                    .withName(AgentNames.DAEMONSET)
                    .get()));
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
        return existingJob(spec, job, deadline);
      }
      throw errors.translate(createJob, e);
    }
  }

  /**
   * The Job already exists (another session creates it at the same time, or it just finished):
   * adopt it while it runs, else wait until it is gone and create it again. A Job of that name not
   * made from this template is someone else's: refused, never deleted.
   */
  private Job existingJob(AgentSpec spec, Job wanted, long deadline) {
    String namespace = spec.namespace();
    String name = wanted.getMetadata().getName();
    Optional<Job> current = getJob(namespace, name);
    String hash = wanted.getMetadata().getLabels().get(AgentNames.TEMPLATE_LABEL);
    if (current.isPresent()
        && !hash.equals(current.get().getMetadata().getLabels().get(AgentNames.TEMPLATE_LABEL))) {
      throw new CntrException(
          ExitCode.AGENT_FAILED,
          "agent job "
              + namespace
              + "/"
              + name
              + " exists but is not made from this session's agent template (label "
              + AgentNames.TEMPLATE_LABEL
              + " is not "
              + hash
              + "); not using it: remove it (lambda-cntr cleanup --node "
              + spec.node()
              + ") or choose another --agent-namespace");
    }
    if (current.isPresent() && !isFinished(current.get())) {
      progress.phase("waiting for agent job " + namespace + "/" + name);
      return current.get();
    }
    if (current.isPresent()) {
      deleteJob(namespace, name);
      awaitJobGone(namespace, name, deadline);
    }
    return errors.call(
        new ApiCall("create", "jobs.batch", namespace),
        () -> client.batch().v1().jobs().inNamespace(namespace).resource(wanted).create());
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
   * Waits until the pod of agent {@code job} is ready, judging it on every change a watch reports
   * ({@link AgentPodWatch}: the pods of this node and template, the events of the Job and its pod),
   * never by polling.
   */
  private AgentPod await(AgentSpec spec, Job job, long deadline) {
    String namespace = spec.namespace();
    String jobName = job.getMetadata().getName();
    Map<String, String> selector = new TreeMap<>(AgentNames.labels(spec.node()));
    selector.put(AgentNames.TEMPLATE_LABEL, AgentTemplate.templateHash(spec));
    Set<String> announced = new HashSet<>();
    try (AgentPodWatch watch =
        errors.call(
            new ApiCall("watch", "pods", namespace),
            () ->
                AgentPodWatch.start(
                    client,
                    namespace,
                    selector,
                    jobName,
                    job.getMetadata().getUid(),
                    progress::detail))) {
      while (true) {
        Optional<Pod> pod = watch.pod();
        if (pod.isPresent()) {
          List<Event> own = watch.eventsAbout(name(pod.get()));
          AgentHealth.State state = AgentHealth.of(pod.get(), latestWarning(own));
          if (!(state instanceof AgentHealth.Starting)) {
            watch.readEvents();
            own = watch.eventsAbout(name(pod.get()));
            state = AgentHealth.of(pod.get(), latestWarning(own));
          }
          announce(own, announced, spec);
          if (state instanceof AgentHealth.Ready) {
            progress.phase("agent ready: pod " + ref(pod.get()));
            return new AgentPod(namespace, name(pod.get()), spec.node(), true);
          }
          if (state instanceof AgentHealth.Broken broken) {
            throw fail(pod.get(), spec.node(), broken.reason(), ExitCode.AGENT_FAILED);
          }
        } else {
          Optional<Event> cannotCreate =
              latestWarning(watch.eventsAbout(jobName))
                  .filter(e -> "FailedCreate".equals(e.getReason()));
          if (cannotCreate.isPresent()) {
            deleteJob(namespace, jobName);
            throw new CntrException(
                ExitCode.AGENT_FAILED,
                "agent job "
                    + namespace
                    + "/"
                    + jobName
                    + " cannot create its pod: "
                    + cannotCreate.get().getMessage()
                    + "; removed it");
          }
        }
        if (watch.lost().isPresent()) {
          throw new CntrException(
              ExitCode.AGENT_FAILED,
              "waiting for agent job " + namespace + "/" + jobName + ": " + watch.lost().get());
        }
        if (System.nanoTime() >= deadline) {
          if (pod.isPresent()) {
            AgentHealth.State last = AgentHealth.of(pod.get(), Optional.empty());
            String detail = last instanceof AgentHealth.Starting s ? s.detail() : last.toString();
            throw fail(
                pod.get(), spec.node(), "not ready in time (" + detail + ")", ExitCode.TIMEOUT);
          }
          deleteJob(namespace, jobName);
          throw new CntrException(
              ExitCode.TIMEOUT,
              "agent job " + namespace + "/" + jobName + " created no pod in time; removed it");
        }
        watch.awaitChange(deadline);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CntrException(ExitCode.INTERNAL, "interrupted while waiting for the agent", e);
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

  /** Waits (a watch, through the library's wait) until the Job is gone. */
  private void awaitJobGone(String namespace, String name, long deadline) {
    long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
    try {
      client
          .batch()
          .v1()
          .jobs()
          .inNamespace(namespace)
          .withName(name)
          .waitUntilCondition(Objects::isNull, left, TimeUnit.MILLISECONDS);
    } catch (KubernetesClientException e) {
      throw new CntrException(
          ExitCode.TIMEOUT,
          "agent job " + namespace + "/" + name + " was not deleted in time: " + e.getMessage(),
          e);
    }
  }

  private static Optional<String> ownerJob(Pod pod) {
    return AgentOwnership.controller(pod)
        .filter(o -> "Job".equals(o.getKind()))
        .map(OwnerReference::getName);
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
