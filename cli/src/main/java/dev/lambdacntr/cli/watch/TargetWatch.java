package dev.lambdacntr.cli.watch;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Watches a session's target pod and tells, once, when it is going: deleted, being deleted by a
 * scale-down or a drain, its container terminated or restarted. Falls back to reading the pod every
 * two seconds where watching is not allowed.
 */
public final class TargetWatch implements AutoCloseable {

  private static final Duration POLL = Duration.ofSeconds(2);

  private final Supplier<KubernetesClient> client;
  private final String namespace;
  private final String pod;
  private final String container;
  private final String containerId;
  private final CompletableFuture<String> ending = new CompletableFuture<>();
  private volatile Watch watch;
  private volatile Thread poller;
  private volatile boolean closed;

  private TargetWatch(
      Supplier<KubernetesClient> client,
      String namespace,
      String pod,
      String container,
      String containerId) {
    this.client = client;
    this.namespace = namespace;
    this.pod = pod;
    this.container = container;
    this.containerId = containerId;
  }

  /**
   * Starts watching in the background ({@code client} is asked for there: it may open the client
   * library); {@code onEnding} gets the reason the first time the target is seen going (on a watch
   * thread).
   */
  public static TargetWatch start(
      Supplier<KubernetesClient> client,
      String namespace,
      String pod,
      String container,
      String containerId,
      Consumer<String> onEnding) {
    TargetWatch w = new TargetWatch(client, namespace, pod, container, containerId);
    w.ending.thenAccept(onEnding);
    Thread.ofVirtual().name("lambda-cntr-target-watch").start(w::watch);
    return w;
  }

  private synchronized void watch() {
    if (closed) {
      return;
    }
    try {
      watch =
          client
              .get()
              .pods()
              .inNamespace(namespace)
              .withName(pod)
              .watch(
                  new Watcher<Pod>() {
                    @Override
                    public void eventReceived(Action action, Pod p) {
                      seen(action == Action.DELETED ? Optional.empty() : Optional.of(p));
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                      if (!closed) {
                        poll();
                      }
                    }
                  });
    } catch (KubernetesClientException e) {
      poll(); // no watch permission (or no watch support): read the pod now and then
    } catch (RuntimeException e) {
      // the library could not be opened: the end-of-session check tells what it can
    }
  }

  /**
   * A watch that only reads the pod when asked ({@link #check}): no request while the session runs,
   * for sessions that need to know only at their end.
   */
  public static TargetWatch onDemand(
      Supplier<KubernetesClient> client,
      String namespace,
      String pod,
      String container,
      String containerId) {
    return new TargetWatch(client, namespace, pod, container, containerId);
  }

  /** Completes with the reason when the target is seen going. */
  public CompletableFuture<String> ending() {
    return ending;
  }

  /**
   * Reads the pod now: the reason if the target is gone or going (or was seen going before), else
   * empty. A failed read leaves only what the watch saw.
   */
  public Optional<String> check() {
    if (ending.isDone()) {
      return Optional.of(ending.join());
    }
    try {
      seen(Optional.ofNullable(client.get().pods().inNamespace(namespace).withName(pod).get()));
    } catch (RuntimeException e) {
      // the API cannot tell now; keep what the watch saw
    }
    return Optional.ofNullable(ending.getNow(null));
  }

  private void seen(Optional<Pod> state) {
    TargetEnd.of(namespace, pod, container, containerId, state).ifPresent(ending::complete);
  }

  private synchronized void poll() {
    if (poller != null || closed) {
      return;
    }
    poller =
        Thread.ofVirtual()
            .name("lambda-cntr-target-poll")
            .start(
                () -> {
                  while (!closed && !ending.isDone()) {
                    check();
                    try {
                      Thread.sleep(POLL);
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                });
  }

  @Override
  public void close() {
    closed = true;
    Watch w;
    synchronized (this) {
      w = watch; // a watch being opened is open now, and the next one will not be
    }
    if (w != null) {
      w.close();
    }
    Thread p = poller;
    if (p != null) {
      p.interrupt();
    }
  }
}
