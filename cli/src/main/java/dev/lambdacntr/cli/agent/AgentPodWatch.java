package dev.lambdacntr.cli.agent;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventList;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * What one agent Job's pod does, as the API server tells it: a watch on the pods of the Job's node
 * and template (label selector: that one Job's pods), and a watch on the agent namespace's events,
 * of which those of the Job and its pod are kept. Nothing is polled; the waiter sleeps until
 * something changed. Each watch starts from a list of what exists already, so a pod made (or ready)
 * before the watch began is judged at once.
 */
final class AgentPodWatch implements AutoCloseable {

  private final KubernetesClient client;
  private final String namespace;
  private final String jobName;
  private final String jobUid;
  private final Consumer<String> note;
  private final Semaphore changed = new Semaphore(0);
  private final List<Watch> watches = new CopyOnWriteArrayList<>();
  private final Map<String, Map<String, Event>> events = new LinkedHashMap<>();
  private volatile Pod pod;
  private volatile boolean eventsReadable = true;
  private volatile Optional<String> lost = Optional.empty();

  private AgentPodWatch(
      KubernetesClient client,
      String namespace,
      String jobName,
      String jobUid,
      Consumer<String> note) {
    this.client = client;
    this.namespace = namespace;
    this.jobName = jobName;
    this.jobUid = jobUid;
    this.note = note;
  }

  /**
   * Starts watching the pods of {@code selector} owned by the Job {@code jobUid}, and the Job's
   * events.
   *
   * @param note where to say that events cannot be read (the wait goes on from the pod's status)
   * @throws KubernetesClientException when the pods cannot be watched
   */
  static AgentPodWatch start(
      KubernetesClient client,
      String namespace,
      Map<String, String> selector,
      String jobName,
      String jobUid,
      Consumer<String> note) {
    AgentPodWatch w = new AgentPodWatch(client, namespace, jobName, jobUid, note);
    // Listed first, then watched from the list's version: the library's watch without a version
    // starts at the most recent one and reports no pod that exists already (measured: the Job's
    // pod, created and ready before the watch began, was never seen).
    var pods = client.pods().inNamespace(namespace).withLabels(selector);
    PodWatcher watcher = w.new PodWatcher();
    PodList existing = pods.list();
    existing.getItems().forEach(p -> watcher.eventReceived(Watcher.Action.ADDED, p));
    w.watches.add(
        pods.watch(
            new ListOptionsBuilder()
                .withResourceVersion(existing.getMetadata().getResourceVersion())
                .build(),
            watcher));
    w.watchEvents();
    return w;
  }

  /** The Job's pod as last seen, if it exists. */
  Optional<Pod> pod() {
    return Optional.ofNullable(pod);
  }

  /** The events about {@code object} (the Job's or the pod's name) seen so far, oldest first. */
  List<Event> eventsAbout(String object) {
    synchronized (events) {
      return new ArrayList<>(events.getOrDefault(object, Map.of()).values());
    }
  }

  /**
   * Reads the events once more: before the wait ends on a pod's state, so the events the kubelet
   * recorded just before it (the image pull, the reason of a failure) are not lost to the two
   * watches' relative order.
   */
  void readEvents() {
    if (!eventsReadable) {
      return;
    }
    try {
      EventWatcher watcher = new EventWatcher();
      client
          .v1()
          .events()
          .inNamespace(namespace)
          .list()
          .getItems()
          .forEach(e -> watcher.eventReceived(Watcher.Action.ADDED, e));
    } catch (KubernetesClientException e) {
      eventsReadable = false;
      note.accept("cannot list events in " + namespace + ": " + e.getMessage());
    }
  }

  /** Why the pod watch ended before the wait did, if it did. */
  Optional<String> lost() {
    return lost;
  }

  /** Sleeps until something changed or {@code deadline} ({@link System#nanoTime}) passed. */
  void awaitChange(long deadline) throws InterruptedException {
    long left = deadline - System.nanoTime();
    if (left > 0 && changed.tryAcquire(left, TimeUnit.NANOSECONDS)) {
      changed.drainPermits();
    }
  }

  /**
   * Reads the namespace's events once, then watches from there: the kubelet may have recorded some
   * before the pod was seen. The namespace holds agents only; the events kept are the Job's and its
   * pod's (a field selector would do it on the server, but not every server supports it on events).
   */
  private void watchEvents() {
    try {
      EventWatcher watcher = new EventWatcher();
      EventList existing = client.v1().events().inNamespace(namespace).list();
      existing.getItems().forEach(e -> watcher.eventReceived(Watcher.Action.ADDED, e));
      watches.add(
          client
              .v1()
              .events()
              .inNamespace(namespace)
              .watch(
                  new ListOptionsBuilder()
                      .withResourceVersion(existing.getMetadata().getResourceVersion())
                      .build(),
                  watcher));
    } catch (KubernetesClientException e) {
      // Without permission to read events the wait still works from the pod's status alone.
      eventsReadable = false;
      note.accept("cannot watch events in " + namespace + ": " + e.getMessage());
    }
  }

  @Override
  public void close() {
    watches.forEach(Watch::close);
  }

  private boolean ownedByJob(Pod p) {
    return Optional.ofNullable(p.getMetadata().getOwnerReferences()).orElse(List.of()).stream()
        .map(OwnerReference::getUid)
        .anyMatch(jobUid::equals);
  }

  private final class PodWatcher implements Watcher<Pod> {
    @Override
    public void eventReceived(Action action, Pod p) {
      if (!ownedByJob(p)) {
        return;
      }
      if (action == Action.DELETED) {
        pod = null;
      } else {
        pod = p;
      }
      changed.release();
    }

    @Override
    public void onClose(WatcherException cause) {
      lost =
          Optional.of(
              "the watch on agent pods of job " + jobName + " ended: " + cause.getMessage());
      changed.release();
    }
  }

  /** Whether an event is about the Job or one of its pods (named after it). */
  private boolean concernsJob(Event e) {
    String name = e.getInvolvedObject() == null ? null : e.getInvolvedObject().getName();
    return name != null && (name.equals(jobName) || name.startsWith(jobName + "-"));
  }

  private final class EventWatcher implements Watcher<Event> {
    @Override
    public void eventReceived(Action action, Event e) {
      if (action == Action.DELETED || !concernsJob(e)) {
        return;
      }
      String object = e.getInvolvedObject().getName();
      synchronized (events) {
        events
            .computeIfAbsent(object, o -> new LinkedHashMap<>())
            .put(e.getMetadata().getName(), e);
      }
      changed.release();
    }

    @Override
    public void onClose(WatcherException cause) {
      // events only add detail; the pod's status still decides
      changed.release();
    }
  }
}
