package dev.lambdacntr.e2e;

import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Watches an agent namespace from the moment it is opened: every pod and Job created there, and
 * every phase each pod went through. How a test proves that a warm start created nothing, and that
 * an expired agent ended on its own.
 */
final class AgentWatch implements AutoCloseable {

  private final List<Pod> podsCreated = new CopyOnWriteArrayList<>();
  private final List<Job> jobsCreated = new CopyOnWriteArrayList<>();
  private final Map<String, Set<String>> phases = new ConcurrentHashMap<>();
  private volatile String lost;
  private final Watch pods;
  private final Watch jobs;

  AgentWatch(KubernetesClient client, String namespace) {
    // Watching from the resource version of a list made now: exactly what happens from now on.
    String podsVersion =
        client.pods().inNamespace(namespace).list().getMetadata().getResourceVersion();
    pods =
        client
            .pods()
            .inNamespace(namespace)
            .watch(
                new ListOptionsBuilder().withResourceVersion(podsVersion).build(),
                new Recorder<Pod>() {
                  @Override
                  public void eventReceived(Action action, Pod pod) {
                    if (action == Action.ADDED) {
                      podsCreated.add(pod);
                    }
                    if (pod.getStatus() != null && pod.getStatus().getPhase() != null) {
                      phases
                          .computeIfAbsent(
                              pod.getMetadata().getName(), n -> ConcurrentHashMap.newKeySet())
                          .add(pod.getStatus().getPhase());
                    }
                  }
                });
    String jobsVersion =
        client.batch().v1().jobs().inNamespace(namespace).list().getMetadata().getResourceVersion();
    jobs =
        client
            .batch()
            .v1()
            .jobs()
            .inNamespace(namespace)
            .watch(
                new ListOptionsBuilder().withResourceVersion(jobsVersion).build(),
                new Recorder<Job>() {
                  @Override
                  public void eventReceived(Action action, Job job) {
                    if (action == Action.ADDED) {
                      jobsCreated.add(job);
                    }
                  }
                });
  }

  /** Pods created since the watch began. */
  List<Pod> podsCreated() {
    return List.copyOf(podsCreated);
  }

  /** Jobs created since the watch began. */
  List<Job> jobsCreated() {
    return List.copyOf(jobsCreated);
  }

  /** Every phase a pod was seen in. */
  Set<String> phasesOf(String pod) {
    return Set.copyOf(phases.getOrDefault(pod, Set.of()));
  }

  @Override
  public void close() {
    pods.close();
    jobs.close();
  }

  /** Fails if a watch ended early: then its record would be incomplete. */
  void assertStillWatching() {
    if (lost != null) {
      throw new AssertionError("the watch of the agent namespace ended early: " + lost);
    }
  }

  private abstract class Recorder<T> implements Watcher<T> {
    @Override
    public void onClose(WatcherException cause) {
      lost = cause.getMessage();
    }

    @Override
    public void onClose() {
      // closed by the test
    }
  }
}
