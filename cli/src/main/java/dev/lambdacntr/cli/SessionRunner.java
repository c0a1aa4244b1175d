package dev.lambdacntr.cli;

import dev.lambdacntr.cli.agent.AgentPod;
import dev.lambdacntr.cli.agent.AgentSpec;
import dev.lambdacntr.cli.exec.ExecOutcome;
import dev.lambdacntr.cli.exec.ExecStream;
import dev.lambdacntr.cli.exec.SessionEndpoint;
import dev.lambdacntr.cli.kube.ServerCluster;
import dev.lambdacntr.cli.kube.SessionCluster;
import dev.lambdacntr.protocol.AgentInvocation;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import dev.lambdacntr.target.AuditEvents;
import dev.lambdacntr.target.Target;
import dev.lambdacntr.target.TargetResolver;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * One attach or execute, top to bottom, whichever {@link SessionCluster} answers: resolve the
 * target, ensure an agent on its node, record the audit event, exec the agent, return the remote
 * status. Independent requests run in parallel, so a session with a ready agent costs four round
 * trips: pod, agent list with the identity review, event, exec.
 */
public final class SessionRunner {

  private final SessionCluster cluster;
  private final CliContext context;
  private final Progress progress;
  private final boolean reasonRequirementChecked;

  public SessionRunner(SessionCluster cluster, CliContext context, Progress progress) {
    this(cluster, context, progress, false);
  }

  private SessionRunner(
      SessionCluster cluster,
      CliContext context,
      Progress progress,
      boolean reasonRequirementChecked) {
    this.cluster = cluster;
    this.context = context;
    this.progress = progress;
    this.reasonRequirementChecked = reasonRequirementChecked;
  }

  /**
   * The same runner for sessions whose agent namespace's requirement of a reason ({@link
   * ReasonRequirement}) was checked already, once for all of them ({@code execute -l}).
   */
  SessionRunner reasonRequirementChecked() {
    return new SessionRunner(cluster, context, progress, true);
  }

  /** Runs the session; returns the remote command's exit status. */
  public int run(SessionRequest request) {
    return run(request, SessionCompanion.NONE);
  }

  /** Runs the session with {@code companion} alongside; returns the status to exit with. */
  public int run(SessionRequest request, SessionCompanion companion) {
    long deadline = System.nanoTime() + request.timeout().toNanos();
    ExecutorService background =
        Executors.newThreadPerTaskExecutor(Thread.ofPlatform().daemon().factory());
    try {
      // asked beside the target's lookup, only of a session without a reason, and answered before
      // an agent is made ready
      CompletableFuture<Void> reasonRequirement =
          reasonRequirementChecked || request.reason().isPresent() || cluster.gateway()
              ? CompletableFuture.completedFuture(null)
              : CompletableFuture.runAsync(
                  () ->
                      ReasonRequirement.check(
                          cluster, request.agentNamespace(), request.reason(), progress),
                  background);
      progress.phase("resolving pod " + request.namespace() + "/" + request.pod());
      progress.detail("the cluster through " + cluster.describe());
      Target target = target(request);
      progress.detail(targetLine(target, cluster.gateway()));

      CompletableFuture<String> who = async(background, cluster::identity);
      List<Pod> agents = cluster.agents(request.agentNamespace(), target.node());
      AgentSpec spec =
          new AgentSpec(
              request.agentNamespace(), target.node(), request.image(), request.idleTimeout());
      join(reasonRequirement);
      AgentPod agent = cluster.agent(spec, agents, deadline);

      record(target, join(who), request, agent);
      progress.phase(
          sessionLine(request.command().isEmpty(), target, agent.ref(), cluster.gateway()));
      companion.beforeExec(target);
      int status;
      try {
        status = exec(request, target, agent, deadline, companion);
      } catch (CntrException e) {
        throw companion.failed(target, e);
      }
      return companion.afterExec(target, status);
    } finally {
      background.shutdownNow();
    }
  }

  /**
   * The {@code -v} line on the target: what was resolved, or in server mode that the gateway
   * resolves it (the CLI knows only what was named).
   */
  static String targetLine(Target target, boolean gateway) {
    if (gateway) {
      return "target: resolved by the gateway ("
          + (target.container().isEmpty()
              ? "the pod's default container"
              : "container " + target.container())
          + ")";
    }
    return "target: container "
        + target.container()
        + " ("
        + target.runtime()
        + "://"
        + target.containerId()
        + ") on node "
        + target.node();
  }

  /** The phase line as the session starts: where, and through which agent or gateway. */
  static String sessionLine(boolean attaching, Target target, String agentRef, boolean gateway) {
    return (attaching ? "attaching to " : "executing in ")
        + target.namespace()
        + "/"
        + target.pod()
        + (target.container().isEmpty() ? "" : " container " + target.container())
        + (gateway ? " through the gateway " : " via agent ")
        + agentRef;
  }

  /**
   * The session's target: the container's current run, or with {@code --post-mortem} its last ended
   * one. A container that is not running but has an ended run is offered a post-mortem session when
   * stdin is a terminal (someone can answer); otherwise its refusal says how to ask for one.
   */
  private Target target(SessionRequest request) {
    if (request.postMortem()) {
      return cluster.target(
          request.namespace(), request.pod(), request.container(), TargetResolver.Run.LAST_ENDED);
    }
    try {
      return cluster.target(
          request.namespace(), request.pod(), request.container(), TargetResolver.Run.CURRENT);
    } catch (CntrException e) {
      if (e.exitCode() != ExitCode.CONTAINER_NOT_RUNNING
          || !e.getMessage().endsWith(TargetResolver.POST_MORTEM_HINT)
          || !context.stdinIsTerminal().getAsBoolean()
          || cluster.gateway()
          || !acceptsPostMortem(e.getMessage())) {
        throw e;
      }
      return cluster.target(
          request.namespace(), request.pod(), request.container(), TargetResolver.Run.LAST_ENDED);
    }
  }

  /** Asks on the terminal (not yet raw) whether to look at the last run instead; y or yes. */
  private boolean acceptsPostMortem(String refusal) {
    String why = refusal.substring(0, refusal.length() - TargetResolver.POST_MORTEM_HINT.length());
    context
        .stderr()
        .print(
            "lambda-cntr: "
                + why
                + ".\nOpen a post-mortem session in what its last run left? [y/N] ");
    context.stderr().flush();
    StringBuilder answer = new StringBuilder();
    try {
      for (int c = context.stdin().read(); c >= 0 && c != '\n'; c = context.stdin().read()) {
        answer.append((char) c);
      }
    } catch (java.io.IOException e) {
      return false;
    }
    String word = answer.toString().strip().toLowerCase(java.util.Locale.ROOT);
    return word.equals("y") || word.equals("yes");
  }

  /** Records the session as an event on the target pod; forbidden means no session. */
  public void record(Target target, String who, SessionRequest request, AgentPod agent) {
    try {
      cluster.record(
          AuditEvents.build(
              target,
              who,
              request.image(),
              agent.ref(),
              request.command(),
              request.reason(),
              Instant.now()));
    } catch (CntrException e) {
      if (e.exitCode() == ExitCode.FORBIDDEN) {
        // No audit trail, no session: the event is what makes debugging in production visible.
        throw new CntrException(
            ExitCode.FORBIDDEN,
            e.getMessage() + "; lambda-cntr records every session as an event on the target pod",
            e);
      }
      progress.warn("could not record the session as an event on the pod: " + e.getMessage());
    }
  }

  private int exec(
      SessionRequest request,
      Target target,
      AgentPod agent,
      long deadline,
      SessionCompanion companion) {
    boolean gateway = cluster.gateway();
    SessionEndpoint endpoint =
        gateway ? request.gatewayExec() : request.agentExec(target, agent, progress);
    String what =
        gateway
            ? "pod " + target.namespace() + "/" + target.pod() + " through " + ServerCluster.GATEWAY
            : "agent pod " + agent.ref();
    Duration left = Duration.ofNanos(Math.max(deadline - System.nanoTime(), 1_000_000_000L));
    PrintStream stderr = context.stderr();
    ExecOutcome outcome;
    try (ExecStream stream =
        cluster.exec(endpoint, companion.stdout(context.stdout()), stderr, left, what)) {
      progress.detail("exec session open");
      if (!gateway) {
        // the agent is called with --framed-stdin (SessionRequest.agentExec); the node agent
        // reads plain v5 stdin and its end
        stream.frameStdin();
      }
      if (!stream.canCloseStdin()) {
        progress.detail("the API server speaks only v4.channel.k8s.io: stdin's end cannot be sent");
      }
      outcome = companion.converse(stream, request.rawTerminal(), context.stdin());
      progress.detail("exec session ended: " + outcome);
    }
    return outcome
        .exitCode()
        .orElseThrow(
            () ->
                new CntrException(
                    ExitCode.AGENT_FAILED,
                    what
                        + " could not run "
                        + AgentInvocation.PROGRAM
                        + ": "
                        + outcome.failure().orElse("no reason given")));
  }

  private static <T> CompletableFuture<T> async(ExecutorService executor, Supplier<T> body) {
    return CompletableFuture.supplyAsync(body, executor);
  }

  private static <T> T join(CompletableFuture<T> future) {
    try {
      return future.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw e;
    }
  }
}
