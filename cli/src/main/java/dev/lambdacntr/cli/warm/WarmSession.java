package dev.lambdacntr.cli.warm;

import dev.lambdacntr.cli.CliContext;
import dev.lambdacntr.cli.Progress;
import dev.lambdacntr.cli.SessionRequest;
import dev.lambdacntr.cli.agent.AgentNames;
import dev.lambdacntr.cli.agent.AgentPod;
import dev.lambdacntr.cli.agent.AgentProvisioner;
import dev.lambdacntr.cli.agent.AgentSpec;
import dev.lambdacntr.cli.agent.RuntimeSocket;
import dev.lambdacntr.cli.agent.RuntimeSocketDetector;
import dev.lambdacntr.cli.exec.ExecOutcome;
import dev.lambdacntr.cli.exec.ExecRequest;
import dev.lambdacntr.cli.exec.ExecStream;
import dev.lambdacntr.cli.exec.PipedSession;
import dev.lambdacntr.cli.exec.TerminalSession;
import dev.lambdacntr.cli.kube.AuditEvents;
import dev.lambdacntr.cli.kube.Target;
import dev.lambdacntr.cli.kube.TargetResolver;
import dev.lambdacntr.cli.warm.DirectClient.Reply;
import dev.lambdacntr.protocol.AgentInvocation;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import dev.lambdacntr.protocol.Json;
import io.fabric8.kubernetes.api.model.Node;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The warm path of attach and execute: a ready agent already runs on the target's node. It makes
 * the same decisions as {@code SessionRunner} with the same pure rules, but over direct requests
 * (no client library start-up): the pod, then agent list, identity review and node at once, then
 * the audit event and the exec.
 *
 * <p>It takes only the path where everything succeeds. At the first thing it does not handle (an
 * HTTP error, a pod that is not running, no fitting ready agent: a cold start) it returns empty
 * before it has changed anything, and the caller runs the full path, which does everything again
 * and reports every error with its exit code. After the audit event is recorded there is no way
 * back: from there on it behaves as the full path does.
 */
public final class WarmSession {

  private static final String REVIEW =
      "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"SelfSubjectReview\"}";

  private final DirectClient api;
  private final DirectConfig config;
  private final CliContext context;
  private final Progress progress;
  private final long deadline;

  private WarmSession(
      DirectClient api, DirectConfig config, CliContext context, Progress progress, long deadline) {
    this.api = api;
    this.config = config;
    this.context = context;
    this.progress = progress;
    this.deadline = deadline;
  }

  /** Runs the session if the warm path can; empty (nothing changed) when it cannot. */
  public static OptionalInt run(
      DirectConfig config, SessionRequest request, CliContext context, Progress progress) {
    long deadline = System.nanoTime() + request.timeout().toNanos();
    progress.detail("kubeconfig: context " + config.context() + ", server " + config.server());
    DirectClient api;
    try {
      api = DirectClient.open(config);
    } catch (GeneralSecurityException | RuntimeException e) {
      return notWarm(progress, "TLS material: " + e.getMessage());
    }
    try (api) {
      return new WarmSession(api, config, context, progress, deadline).run(request);
    }
  }

  private OptionalInt run(SessionRequest request) {
    progress.detail(
        "resolving pod " + request.namespace() + "/" + request.pod() + " (direct requests)");
    // The pod first, alone: requests sent together before the first connection stands each open
    // their own (a TLS handshake each, costly in a young JVM); the rest then share it.
    Optional<Reply> pod =
        await(
            api.get(
                "/api/v1/namespaces/" + enc(request.namespace()) + "/pods/" + enc(request.pod())));
    if (pod.isEmpty() || !pod.get().ok()) {
      return notWarm("get pod: " + describe(pod));
    }
    CompletableFuture<Reply> agentsReply =
        api.get(
            "/api/v1/namespaces/"
                + enc(request.agentNamespace())
                + "/pods?labelSelector="
                + enc(AgentNames.NAME_LABEL + "=" + AgentNames.NAME_VALUE));
    CompletableFuture<Reply> reviewReply =
        api.post("/apis/authentication.k8s.io/v1/selfsubjectreviews", REVIEW);
    Target target;
    try {
      target = TargetResolver.select(ModelJson.pod(pod.get().json()), request.container());
    } catch (CntrException e) {
      return notWarm("target not usable: " + e.getMessage());
    }
    progress.detail(
        "target: container "
            + target.container()
            + " ("
            + target.runtime()
            + "://"
            + target.containerId()
            + ") on node "
            + target.node());

    Optional<Node> node = Optional.empty();
    if (request.socketOverride().isEmpty()) {
      Optional<Reply> nodeReply = await(api.get("/api/v1/nodes/" + enc(target.node())));
      if (nodeReply.isPresent() && nodeReply.get().status() == 403) {
        progress.detail(
            "cannot read node " + target.node() + " (RBAC); choosing the socket by runtime only");
      } else if (nodeReply.isEmpty() || !nodeReply.get().ok()) {
        return notWarm("get node: " + describe(nodeReply));
      } else {
        node = Optional.of(ModelJson.node(nodeReply.get().json()));
      }
    }
    Optional<RuntimeSocket> socket =
        RuntimeSocketDetector.detect(request.socketOverride(), node, target.runtime());
    progress.detail(
        socket
            .map(s -> "runtime socket " + s.hostPath() + " (" + s.origin() + ")")
            .orElse("runtime socket unknown: the agent scans /proc"));

    Optional<Reply> agents = await(agentsReply);
    if (agents.isEmpty() || !agents.get().ok()) {
      return notWarm("list agent pods: " + describe(agents));
    }
    AgentSpec spec =
        new AgentSpec(
            request.agentNamespace(),
            target.node(),
            request.image(),
            socket,
            request.idleTimeout());
    Optional<AgentPod> agent =
        AgentProvisioner.reusable(
            spec, AgentProvisioner.onNode(ModelJson.pods(agents.get().json()), target.node()));
    if (agent.isEmpty()) {
      return notWarm("no ready agent for this session on node " + target.node());
    }
    progress.detail("reusing agent pod " + agent.get().ref() + " on node " + target.node());

    String who =
        await(reviewReply)
            .filter(Reply::ok)
            .flatMap(r -> Json.string(r.json(), "status", "userInfo", "username"))
            .filter(u -> !u.isBlank())
            .orElse("kubeconfig user " + config.user());
    String event =
        EventJson.of(
            AuditEvents.build(
                target, who, request.image(), agent.get().ref(), request.command(), Instant.now()));
    Optional<Reply> recorded =
        await(api.post("/api/v1/namespaces/" + enc(target.namespace()) + "/events", event));
    if (recorded.isEmpty() || !recorded.get().ok()) {
      return notWarm("create event: " + describe(recorded));
    }
    progress.detail(
        (request.command().isEmpty() ? "attaching to " : "executing in ")
            + target.namespace()
            + "/"
            + target.pod()
            + " container "
            + target.container()
            + " via agent "
            + agent.get().ref());
    return OptionalInt.of(exec(request, target, socket, agent.get()));
  }

  private int exec(
      SessionRequest request, Target target, Optional<RuntimeSocket> socket, AgentPod agent) {
    ExecRequest exec = request.agentExec(target, socket, agent, progress);
    Duration left = Duration.ofNanos(Math.max(deadline - System.nanoTime(), 1_000_000_000L));
    ExecOutcome outcome;
    try (ExecStream stream =
        ExecStream.open(
            api.http(),
            json -> ModelJson.status(Json.parse(json)),
            exec.uri(api.server()),
            context.stdout(),
            context.stderr(),
            left,
            "agent pod " + agent.ref())) {
      progress.detail("exec session open");
      // the agent is called with --framed-stdin (SessionRequest.agentExec)
      stream.frameStdin();
      if (!stream.canCloseStdin()) {
        progress.detail("the API server speaks only v4.channel.k8s.io: stdin's end cannot be sent");
      }
      outcome =
          request.rawTerminal()
              ? TerminalSession.run(stream, context.stdin())
              : PipedSession.run(stream, context.stdin());
      progress.detail("exec session ended: " + outcome);
    }
    return outcome
        .exitCode()
        .orElseThrow(
            () ->
                new CntrException(
                    ExitCode.AGENT_FAILED,
                    "agent pod "
                        + agent.ref()
                        + " could not run "
                        + AgentInvocation.PROGRAM
                        + ": "
                        + outcome.failure().orElse("no reason given")));
  }

  /** The reply, or empty when the request failed or the start's time ran out. */
  private Optional<Reply> await(CompletableFuture<Reply> reply) {
    try {
      long left = Math.max(deadline - System.nanoTime(), 1);
      return Optional.of(reply.get(left, TimeUnit.NANOSECONDS));
    } catch (ExecutionException | TimeoutException e) {
      reply.cancel(true);
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  private static String describe(Optional<Reply> reply) {
    return reply.map(r -> "HTTP " + r.status()).orElse("no answer");
  }

  private OptionalInt notWarm(String why) {
    return notWarm(progress, why);
  }

  private static OptionalInt notWarm(Progress progress, String why) {
    progress.detail("warm path not taken (" + why + "); using the full path");
    return OptionalInt.empty();
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
