package dev.lambdacntr.cli.install;

import dev.lambdacntr.cli.Progress;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import dev.lambdacntr.target.ApiCall;
import dev.lambdacntr.target.KubeErrors;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Applies server mode's objects (server-side apply, field manager {@value #FIELD_MANAGER}, so a
 * second install changes only what changed), waits until the API server serves our group, and
 * removes it all again.
 */
public final class ServerInstaller {

  public static final String FIELD_MANAGER = "lambda-cntr";
  private static final Duration POLL = Duration.ofSeconds(1);

  private final KubernetesClient client;
  private final KubeErrors errors;
  private final Progress progress;

  public ServerInstaller(KubernetesClient client, KubeErrors errors, Progress progress) {
    this.client = client;
    this.errors = errors;
    this.progress = progress;
  }

  /** Applies every object, in order. */
  public void apply(List<GenericKubernetesResource> objects) {
    for (GenericKubernetesResource o : objects) {
      errors.run(
          call("apply", o),
          () -> client.resource(o).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply());
      progress.phase("applied " + describe(o));
    }
  }

  /**
   * Waits until the gateway's Deployment and the node agents' DaemonSet have rolled out and, with
   * {@code apiService}, the APIService is Available; on timeout names each that is not, with the
   * API server's reason.
   */
  public void awaitReady(String namespace, Duration timeout, boolean apiService) {
    Instant deadline = Instant.now().plus(timeout);
    List<String> notReady;
    while (true) {
      notReady = ServerReadiness.notReady(namespace, read(namespace, apiService));
      if (notReady.isEmpty()) {
        progress.phase(
            apiService
                ? "server mode is ready: APIService " + ServerManifests.API_SERVICE
                : "the gateway and the node agents are ready");
        return;
      }
      progress.detail("waiting: " + String.join("; ", notReady));
      if (Instant.now().isAfter(deadline)) {
        throw new CntrException(
            ExitCode.TIMEOUT,
            "server mode is not ready after "
                + timeout.toSeconds()
                + "s: "
                + String.join("; ", notReady)
                + " (pass a longer --timeout, or see kubectl -n "
                + namespace
                + " get pods)");
      }
      sleep();
    }
  }

  /** Deletes every object (missing ones are fine), then waits until the namespace is gone. */
  public void delete(List<GenericKubernetesResource> objects, String namespace, Duration timeout) {
    for (GenericKubernetesResource o : objects) {
      errors.run(
          call("delete", o),
          () -> client.resource(o).withPropagationPolicy(DeletionPropagation.BACKGROUND).delete());
      progress.phase("deleted " + describe(o));
    }
    Instant deadline = Instant.now().plus(timeout);
    while (errors.call(
            ApiCall.cluster("get", "namespaces"),
            () -> client.namespaces().withName(namespace).get())
        != null) {
      if (Instant.now().isAfter(deadline)) {
        throw new CntrException(
            ExitCode.TIMEOUT,
            "namespace " + namespace + " is still terminating after " + timeout.toSeconds() + "s");
      }
      sleep();
    }
    progress.phase("namespace " + namespace + " is gone");
  }

  /**
   * The gateway's Deployment, the node agents' DaemonSet and, with {@code apiService}, the
   * APIService, as read now (what {@link #awaitReady} and {@code lambda-cntr status} judge).
   */
  public ServerReadiness.Observed read(String namespace, boolean apiService) {
    return new ServerReadiness.Observed(
        get("apps/v1", "Deployment", namespace, ServerManifests.GATEWAY),
        get("apps/v1", "DaemonSet", namespace, ServerManifests.NODE_AGENT),
        apiService
            ? get("apiregistration.k8s.io/v1", "APIService", null, ServerManifests.API_SERVICE)
            : null);
  }

  private Optional<GenericKubernetesResource> get(
      String apiVersion, String kind, String namespace, String name) {
    return Optional.ofNullable(
        errors.call(
            new ApiCall("get", kind.toLowerCase() + "s", namespace == null ? "" : namespace),
            () ->
                namespace == null
                    ? client.genericKubernetesResources(apiVersion, kind).withName(name).get()
                    : client
                        .genericKubernetesResources(apiVersion, kind)
                        .inNamespace(namespace)
                        .withName(name)
                        .get()));
  }

  private static ApiCall call(String verb, GenericKubernetesResource o) {
    String group = o.getApiVersion().contains("/") ? o.getApiVersion().split("/")[0] : "";
    String resource = o.getKind().toLowerCase() + "s" + (group.isEmpty() ? "" : "." + group);
    String namespace = o.getMetadata().getNamespace();
    return new ApiCall(verb, resource, namespace == null ? "" : namespace);
  }

  private static String describe(GenericKubernetesResource o) {
    return o.getKind()
        + " "
        + Optional.ofNullable(o.getMetadata().getNamespace()).map(n -> n + "/").orElse("")
        + o.getMetadata().getName();
  }

  private static void sleep() {
    try {
      Thread.sleep(POLL);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CntrException(ExitCode.INTERNAL, "interrupted while waiting for server mode", e);
    }
  }
}
