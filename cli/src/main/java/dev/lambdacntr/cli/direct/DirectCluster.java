package dev.lambdacntr.cli.direct;

import dev.lambdacntr.cli.Progress;
import dev.lambdacntr.cli.agent.AgentNames;
import dev.lambdacntr.cli.agent.AgentOwnership;
import dev.lambdacntr.cli.agent.AgentPod;
import dev.lambdacntr.cli.agent.AgentProvisioner;
import dev.lambdacntr.cli.agent.AgentSpec;
import dev.lambdacntr.cli.agent.AgentTemplate;
import dev.lambdacntr.cli.direct.DirectClient.Reply;
import dev.lambdacntr.cli.exec.ExecStream;
import dev.lambdacntr.cli.exec.SessionEndpoint;
import dev.lambdacntr.cli.kube.ClusterConnection;
import dev.lambdacntr.cli.kube.LibraryCluster;
import dev.lambdacntr.cli.kube.SessionCluster;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import dev.lambdacntr.protocol.Json;
import dev.lambdacntr.target.Target;
import dev.lambdacntr.target.TargetResolver;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The session's cluster over direct requests (the JDK's HTTP client with the kubeconfig's
 * credentials, JSON read without a data-binding library): the pod, the agent list, the identity
 * review, the audit event and the exec. Whatever these do not cover — a cold start, a watch, a
 * patch, a port-forward — and every request the server does not answer with success goes to the
 * client library, opened on first use: it asks again and reports the failure with the library's
 * errors and exit codes, so a session behaves the same whichever answers.
 *
 * <p>Why two: a session with a ready agent is four requests, and the library's start-up (its
 * configuration, model and serialization classes) costs more than the requests themselves in a
 * young JVM (cli/README.md, "Start-up", has the measurements).
 */
public final class DirectCluster implements SessionCluster {

  private static final String REVIEW =
      "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"SelfSubjectReview\"}";

  private final DirectClient api;
  private final DirectConfig config;
  private final Progress progress;
  private final Supplier<ClusterConnection> openLibrary;
  private final CompletableFuture<Void> connected = new CompletableFuture<>();
  private final AtomicBoolean firstSent = new AtomicBoolean();
  private LibraryCluster library;

  private DirectCluster(
      DirectClient api,
      DirectConfig config,
      Progress progress,
      Supplier<ClusterConnection> openLibrary) {
    this.api = api;
    this.config = config;
    this.progress = progress;
    this.openLibrary = openLibrary;
  }

  /**
   * Direct requests with {@code config}'s credentials; empty (with the reason in {@code -v}) when
   * its TLS material cannot be used, and the caller takes the library.
   */
  public static Optional<SessionCluster> open(
      DirectConfig config, Progress progress, Supplier<ClusterConnection> openLibrary) {
    progress.detail("kubeconfig: context " + config.context() + ", server " + config.server());
    try {
      return Optional.of(
          new DirectCluster(DirectClient.open(config), config, progress, openLibrary));
    } catch (GeneralSecurityException | RuntimeException e) {
      progress.detail("direct requests impossible (TLS material: " + e.getMessage() + ")");
      return Optional.empty();
    }
  }

  @Override
  public String describe() {
    return "direct requests";
  }

  @Override
  public String defaultNamespace() {
    return config.namespace().orElse("default");
  }

  @Override
  public Target target(
      String namespace, String pod, Optional<String> container, TargetResolver.Run run) {
    Optional<Reply> reply =
        send(() -> api.get("/api/v1/namespaces/" + enc(namespace) + "/pods/" + enc(pod)));
    if (reply.isPresent() && reply.get().ok()) {
      try {
        return TargetResolver.select(ModelJson.pod(reply.get().json()), container, run);
      } catch (CntrException | IllegalArgumentException e) {
        // the library reads it again and says what is wrong with it, name suggestions included
      }
    }
    return library("get pod", reply).target(namespace, pod, container, run);
  }

  @Override
  public String identity() {
    return send(() -> api.post("/apis/authentication.k8s.io/v1/selfsubjectreviews", REVIEW))
        .filter(Reply::ok)
        .flatMap(r -> Json.string(r.json(), "status", "userInfo", "username"))
        .filter(u -> !u.isBlank())
        .orElse("kubeconfig user " + config.user());
  }

  @Override
  public List<Pod> agents(String namespace, String node) {
    Optional<Reply> reply =
        send(
            () ->
                api.get(
                    "/api/v1/namespaces/"
                        + enc(namespace)
                        + "/pods?labelSelector="
                        + enc(AgentNames.NAME_LABEL + "=" + AgentNames.NAME_VALUE)));
    if (reply.isPresent() && reply.get().ok()) {
      return AgentProvisioner.onNode(ModelJson.pods(reply.get().json()), node);
    }
    return library("list agent pods", reply).agents(namespace, node);
  }

  @Override
  public AgentPod agent(AgentSpec spec, List<Pod> existing, long deadline) {
    Optional<Pod> ready = AgentProvisioner.readyClaimant(spec, existing);
    if (ready.isPresent() && proven(ready.get(), spec)) {
      AgentPod agent =
          new AgentPod(spec.namespace(), ready.get().getMetadata().getName(), spec.node(), false);
      progress.detail("reusing agent pod " + agent.ref() + " on node " + spec.node());
      return agent;
    }
    LibraryCluster lib = library("no ready agent of this image proven on node " + spec.node());
    // the library lists again: its models carry what creating the agent and reporting need
    return lib.agent(spec, lib.agents(spec.namespace(), spec.node()), deadline);
  }

  /**
   * Whether a ready agent pod is proven to serve {@code spec}: its owner (the Job of the template,
   * or the agent DaemonSet) read once, and its UID compared.
   */
  private boolean proven(Pod pod, AgentSpec spec) {
    String namespace = "/namespaces/" + enc(spec.namespace());
    boolean ofDaemonSet = AgentOwnership.ofDaemonSet(pod);
    String path =
        ofDaemonSet
            ? "/apis/apps/v1" + namespace + "/daemonsets/" + enc(AgentNames.DAEMONSET)
            : "/apis/batch/v1"
                + namespace
                + "/jobs/"
                + enc(AgentNames.jobName(spec.node(), AgentTemplate.templateHash(spec)));
    Optional<Reply> reply = send(() -> api.get(path));
    if (reply.isEmpty() || !reply.get().ok()) {
      return false;
    }
    Object owner = reply.get().json();
    return ofDaemonSet
        ? AgentOwnership.whyNotOurs(pod, spec, Optional.of(ModelJson.daemonSetMetadata(owner)))
            .isEmpty()
        : AgentOwnership.whyNotOurs(pod, Optional.of(ModelJson.jobMetadata(owner)), spec).isEmpty();
  }

  /**
   * One GET, answered here when it is found, missing or forbidden (a refusal here costs no library
   * start-up); anything else the library asks again.
   */
  @Override
  public Optional<Map<String, String>> namespaceLabels(String namespace) {
    Optional<Reply> reply = send(() -> api.get("/api/v1/namespaces/" + enc(namespace)));
    if (reply.isPresent()) {
      Reply r = reply.get();
      if (r.ok()) {
        Map<String, String> labels = new LinkedHashMap<>();
        Json.object(r.json(), "metadata", "labels")
            .ifPresent(m -> m.forEach((k, v) -> labels.put(k, String.valueOf(v))));
        return Optional.of(labels);
      }
      if (r.status() == 404) {
        return Optional.empty();
      }
      if (r.status() == 403) {
        throw new CntrException(
            ExitCode.FORBIDDEN,
            "forbidden: cannot get namespace "
                + namespace
                + ": "
                + Json.string(r.json(), "message").orElse("HTTP 403"));
      }
    }
    return library("get namespace", reply).namespaceLabels(namespace);
  }

  @Override
  public void record(Event event) {
    String namespace = event.getMetadata().getNamespace();
    Optional<Reply> reply =
        send(
            () ->
                api.post("/api/v1/namespaces/" + enc(namespace) + "/events", EventJson.of(event)));
    if (reply.isEmpty() || !reply.get().ok()) {
      library("create event", reply).record(event);
    }
  }

  @Override
  public int probe(String path) {
    return send(() -> api.get(path)).map(Reply::status).orElse(0);
  }

  @Override
  public ExecStream exec(
      SessionEndpoint exec,
      OutputStream stdout,
      OutputStream stderr,
      Duration timeout,
      String what) {
    return ExecStream.open(
        api.http(),
        json -> ModelJson.status(Json.parse(json)),
        exec.uri(api.server()),
        stdout,
        stderr,
        timeout,
        what);
  }

  @Override
  public ClusterConnection library() {
    return libraryCluster().library();
  }

  private LibraryCluster library(String why, Optional<Reply> reply) {
    return library(why + ": " + reply.map(r -> "HTTP " + r.status()).orElse("no answer"));
  }

  private LibraryCluster library(String why) {
    progress.detail(why + "; asking through the client library");
    return libraryCluster();
  }

  private synchronized LibraryCluster libraryCluster() {
    if (library == null) {
      library = new LibraryCluster(openLibrary.get(), progress);
    }
    return library;
  }

  /**
   * Sends a request and waits for its answer (empty when none came). The first request goes alone:
   * requests sent before the first connection stands each open their own (a TLS handshake each,
   * costly in a young JVM); the rest wait for it and take it from the pool when it is free.
   */
  private Optional<Reply> send(Supplier<CompletableFuture<Reply>> request) {
    boolean first = firstSent.compareAndSet(false, true);
    if (!first) {
      connected.join();
    }
    try {
      return Optional.of(request.get().join());
    } catch (CompletionException | java.util.concurrent.CancellationException e) {
      return Optional.empty();
    } finally {
      if (first) {
        connected.complete(null);
      }
    }
  }

  @Override
  public synchronized void close() {
    api.close();
    if (library != null) {
      library.close();
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
