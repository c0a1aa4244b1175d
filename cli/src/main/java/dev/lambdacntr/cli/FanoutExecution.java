package dev.lambdacntr.cli;

import dev.lambdacntr.cli.agent.AgentProvisioner;
import dev.lambdacntr.cli.agent.AgentSpec;
import dev.lambdacntr.cli.exec.ExecOutcome;
import dev.lambdacntr.cli.exec.ExecStream;
import dev.lambdacntr.cli.fanout.FanoutResult;
import dev.lambdacntr.cli.fanout.FanoutSummary;
import dev.lambdacntr.cli.fanout.PrefixedLines;
import dev.lambdacntr.cli.kube.ClusterConnection;
import dev.lambdacntr.cli.kube.LibraryCluster;
import dev.lambdacntr.cli.kube.ServerCluster;
import dev.lambdacntr.cli.kube.SessionCluster;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import dev.lambdacntr.target.ApiCall;
import dev.lambdacntr.target.Target;
import dev.lambdacntr.target.TargetResolver;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code execute -l SELECTOR -- CMD}: the command in every matching pod (or every container of each
 * with {@code --all-containers}), at most {@code parallel} at a time, each bounded by its own
 * timeout, output lines prefixed with the pod's name. In direct mode agents are made ready once per
 * node first, so the sessions themselves all find a ready agent; in server mode each pod is one
 * request to the gateway, whose node agents are always there. Failures of single pods are
 * collected, never fatal to the others.
 */
final class FanoutExecution {

  /**
   * The fan-out.
   *
   * @param selector the label selector
   * @param container the container named on the command line, if any
   * @param allContainers whether every container of each pod runs the command
   * @param parallel how many sessions at most at once
   * @param podTimeout how long each target may take, start included
   */
  record Plan(
      String selector,
      Optional<String> container,
      boolean allContainers,
      int parallel,
      Duration podTimeout) {}

  /** One container of one pod; {@code target} empty when the pod cannot be debugged. */
  private record Item(String label, Optional<Target> target, Optional<CntrException> refusal) {}

  private final ClusterConnection connection;
  private final boolean server;
  private final CliContext context;
  private final Progress progress;

  /** {@code server}: the sessions go through the gateway ({@link SessionClusters#serverMode}). */
  FanoutExecution(
      ClusterConnection connection, boolean server, CliContext context, Progress progress) {
    this.connection = connection;
    this.server = server;
    this.context = context;
    this.progress = progress;
  }

  /** Runs it; returns the status to exit with. */
  int run(SessionRequest template, Plan plan) {
    if (!server) {
      // once for every pod, before anything is asked for them (the gateway asks its policy)
      ReasonRequirement.check(
          new LibraryCluster(connection, progress),
          template.agentNamespace(),
          template.reason(),
          progress);
    }
    List<Item> items = items(template.namespace(), plan);
    progress.phase(
        "executing in "
            + items.size()
            + (plan.allContainers() ? " containers" : " pods")
            + " matching "
            + plan.selector()
            + ", "
            + plan.parallel()
            + " at a time");
    Map<String, Optional<CntrException>> agents =
        server ? Map.of() : prepareAgents(template, items, plan.parallel());
    List<FanoutResult> results = new ArrayList<>();
    ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().factory());
    try (ExecutorService pool =
        Executors.newFixedThreadPool(plan.parallel(), Thread.ofPlatform().daemon().factory())) {
      List<Future<FanoutResult>> running = new ArrayList<>();
      for (Item item : items) {
        running.add(pool.submit(() -> runOne(template, plan, item, agents, timer)));
      }
      for (Future<FanoutResult> f : running) {
        results.add(f.get());
      }
    } catch (Exception e) {
      throw new CntrException(ExitCode.INTERNAL, "execute -l: " + e, e);
    } finally {
      timer.shutdownNow();
    }
    FanoutSummary summary = FanoutSummary.of(results);
    summary.message().ifPresent(m -> context.stderr().println("lambda-cntr: " + m));
    return summary.status();
  }

  private List<Item> items(String namespace, Plan plan) {
    List<Pod> pods =
        connection
            .errors()
            .call(
                new ApiCall("list", "pods", namespace),
                () ->
                    connection
                        .client()
                        .pods()
                        .inNamespace(namespace)
                        .withLabelSelector(plan.selector())
                        .list()
                        .getItems());
    if (pods.isEmpty()) {
      throw new CntrException(
          ExitCode.POD_NOT_FOUND,
          "no pod in namespace " + namespace + " matches the selector '" + plan.selector() + "'");
    }
    List<Item> items = new ArrayList<>();
    pods.stream()
        .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
        .forEach(
            pod -> {
              String name = pod.getMetadata().getName();
              if (plan.allContainers()) {
                for (Container c : pod.getSpec().getContainers()) {
                  items.add(item(name + "/" + c.getName(), pod, Optional.of(c.getName())));
                }
              } else {
                items.add(item(name, pod, plan.container()));
              }
            });
    return items;
  }

  private static Item item(String label, Pod pod, Optional<String> container) {
    try {
      return new Item(label, Optional.of(TargetResolver.select(pod, container)), Optional.empty());
    } catch (CntrException e) {
      return new Item(label, Optional.empty(), Optional.of(e));
    }
  }

  /**
   * One ready agent per node of the targets, at most {@code parallel} nodes at a time (each waits
   * with its own watches); a node's failure fails its targets.
   */
  private Map<String, Optional<CntrException>> prepareAgents(
      SessionRequest template, List<Item> items, int parallel) {
    Map<String, Target> byNode = new LinkedHashMap<>();
    items.forEach(i -> i.target().ifPresent(t -> byNode.putIfAbsent(t.node(), t)));
    long deadline = System.nanoTime() + template.timeout().toNanos();
    SessionRunner runner =
        new SessionRunner(new LibraryCluster(connection, progress), context, progress);
    AgentProvisioner provisioner =
        new AgentProvisioner(connection.client(), connection.errors(), progress);
    Map<String, Optional<CntrException>> outcome = new LinkedHashMap<>();
    try (ExecutorService pool =
        Executors.newFixedThreadPool(parallel, Thread.ofVirtual().factory())) {
      Map<String, Future<Optional<CntrException>>> started = new LinkedHashMap<>();
      byNode.forEach(
          (node, target) ->
              started.put(
                  node,
                  pool.submit(
                      () -> {
                        try {
                          AgentSpec spec =
                              new AgentSpec(
                                  template.agentNamespace(),
                                  node,
                                  template.image(),
                                  template.idleTimeout());
                          provisioner.ensure(
                              spec,
                              provisioner.agentsOn(template.agentNamespace(), node),
                              deadline);
                          return Optional.<CntrException>empty();
                        } catch (CntrException e) {
                          return Optional.of(e);
                        }
                      })));
      for (Map.Entry<String, Future<Optional<CntrException>>> e : started.entrySet()) {
        outcome.put(e.getKey(), e.getValue().get());
      }
    } catch (Exception e) {
      throw new CntrException(ExitCode.INTERNAL, "execute -l: preparing agents: " + e, e);
    }
    return outcome;
  }

  private FanoutResult runOne(
      SessionRequest template,
      Plan plan,
      Item item,
      Map<String, Optional<CntrException>> agents,
      ScheduledExecutorService timer) {
    if (item.refusal().isPresent()) {
      CntrException e = item.refusal().get();
      return FanoutResult.failed(item.label(), e.exitCode().code(), e.getMessage());
    }
    Target target = item.target().orElseThrow();
    Optional<CntrException> agentFailure = agents.getOrDefault(target.node(), Optional.empty());
    if (agentFailure.isPresent()) {
      CntrException e = agentFailure.get();
      return FanoutResult.failed(item.label(), e.exitCode().code(), e.getMessage());
    }
    PrefixedLines out = new PrefixedLines(item.label(), context.stdout());
    PrefixedLines err = new PrefixedLines(item.label(), context.stderr());
    PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
    CliContext own =
        new CliContext(
            context.env(),
            InputStream.nullInputStream(),
            out,
            errStream,
            () -> false,
            () -> false,
            context.startNanos());
    SessionRequest request =
        new SessionRequest(
            template.namespace(),
            target.pod(),
            Optional.of(target.container()),
            template.image(),
            template.timeout(),
            template.idleTimeout(),
            template.fs(),
            false,
            false,
            template.keepEnv(),
            template.tmpSize(),
            template.noSeccomp(),
            bounded(template.command(), plan.podTimeout()),
            template.agentNamespace(),
            template.reason(),
            false);
    Deadline deadline = new Deadline();
    // the remote timeout ends the command; the local one is the backstop for a session that hangs
    var timeout =
        timer.schedule(
            deadline::expire,
            plan.podTimeout().plus(template.timeout()).plus(KILL_AFTER).toMillis(),
            TimeUnit.MILLISECONDS);
    long started = System.nanoTime();
    try {
      SessionCluster library = new LibraryCluster(connection, quiet(errStream));
      int status =
          new SessionRunner(server ? new ServerCluster(library) : library, own, quiet(errStream))
              .reasonRequirementChecked()
              .run(request, deadline);
      boolean remoteTimeout =
          (status == TIMED_OUT || status == 128 + 9)
              && System.nanoTime() - started >= plan.podTimeout().toNanos();
      return deadline.expired() || remoteTimeout
          ? timedOut(item, plan)
          : FanoutResult.ran(item.label(), status);
    } catch (CntrException e) {
      return deadline.expired()
          ? timedOut(item, plan)
          : FanoutResult.failed(item.label(), e.exitCode().code(), e.getMessage());
    } finally {
      timeout.cancel(false);
      try {
        out.close();
        err.close();
      } catch (IOException e) {
        // the shared streams report their own failures
      }
    }
  }

  /** coreutils' {@code timeout} status when it ended the command. */
  private static final int TIMED_OUT = 124;

  private static final Duration KILL_AFTER = Duration.ofSeconds(5);

  /**
   * The command under the debug image's {@code timeout}: the session's processes must end on the
   * node itself, because a closed exec stream does not end a command that writes nothing.
   */
  static List<String> bounded(List<String> command, Duration limit) {
    List<String> wrapped = new ArrayList<>();
    wrapped.addAll(
        List.of(
            "timeout",
            "--kill-after=" + KILL_AFTER.toSeconds() + "s",
            String.format(java.util.Locale.ROOT, "%.3fs", limit.toMillis() / 1000.0)));
    wrapped.addAll(command);
    return wrapped;
  }

  private Progress quiet(PrintStream stderr) {
    return new Progress(
        stderr,
        progress.verbose() ? Progress.Level.VERBOSE : Progress.Level.QUIET,
        context.startNanos());
  }

  private static FanoutResult timedOut(Item item, Plan plan) {
    return FanoutResult.failed(
        item.label(),
        ExitCode.TIMEOUT.code(),
        "timed out after " + DurationConverter.format(plan.podTimeout()));
  }

  /** Ends a session's exec when its time is up, whenever that comes. */
  private static final class Deadline implements SessionCompanion {
    private ExecStream stream;
    private boolean expired;

    @Override
    public ExecOutcome converse(ExecStream s, boolean rawTerminal, InputStream stdin) {
      synchronized (this) {
        stream = s;
        if (expired) {
          s.close();
          s.outcome().completeExceptionally(new IOException("per-pod timeout"));
        }
      }
      return SessionCompanion.super.converse(s, rawTerminal, stdin);
    }

    synchronized void expire() {
      expired = true;
      if (stream != null) {
        stream.close();
        stream.outcome().completeExceptionally(new IOException("per-pod timeout"));
      }
    }

    synchronized boolean expired() {
      return expired;
    }
  }
}
