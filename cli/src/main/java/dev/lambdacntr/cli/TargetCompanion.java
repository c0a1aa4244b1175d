package dev.lambdacntr.cli;

import dev.lambdacntr.cli.forward.PortForwarder;
import dev.lambdacntr.cli.forward.PortMapping;
import dev.lambdacntr.cli.kube.ClusterConnection;
import dev.lambdacntr.cli.kube.SessionCluster;
import dev.lambdacntr.cli.protect.ProtectionGuardian;
import dev.lambdacntr.cli.watch.TargetWatch;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import dev.lambdacntr.target.Target;
import dev.lambdacntr.target.TargetResolver;
import dev.lambdacntr.target.protect.PodMarksWriter;
import dev.lambdacntr.target.protect.ProtectionLease;
import dev.lambdacntr.target.protect.TargetProtection;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The session's target, looked after while the session lives: its ports forwarded, its pod
 * protected from scale-downs and evictions, and watched, so that a session that ends because the
 * target went away says so (exit 77) instead of reporting a killed shell or a lost connection.
 */
class TargetCompanion implements SessionCompanion, AutoCloseable {

  /**
   * What to do alongside the session.
   *
   * @param forwards the ports to forward
   * @param addresses the local addresses to listen on
   * @param protect whether to protect the pod
   * @param guardian how a guardian process would release the protection, if needed
   * @param rawTerminal whether the local terminal is in raw mode (notices need CR LF)
   */
  record Plan(
      List<PortMapping> forwards,
      List<String> addresses,
      boolean protect,
      Optional<ProtectionGuardian.Spec> guardian,
      boolean rawTerminal) {}

  private final SessionCluster cluster;
  private final PrintStream stderr;
  private final Progress progress;
  private final Plan plan;
  private final Consumer<List<PortForwarder.Listening>> onListening;
  private final Consumer<Target> admit;
  private final Thread shutdownHook = new Thread(this::close, "lambda-cntr-session-cleanup");
  private boolean hooked;
  private Optional<PortForwarder> forwarder = Optional.empty();
  private Optional<TargetProtection> protection = Optional.empty();
  private Optional<TargetWatch> watch = Optional.empty();

  TargetCompanion(
      SessionCluster cluster,
      PrintStream stderr,
      Progress progress,
      Plan plan,
      Consumer<Target> admit,
      Consumer<List<PortForwarder.Listening>> onListening) {
    this.admit = admit;
    this.cluster = cluster;
    this.stderr = stderr;
    this.progress = progress;
    this.plan = plan;
    this.onListening = onListening;
  }

  @Override
  public void beforeExec(Target named) {
    // a live watch only for long sessions that hold something; the rest ask at their end
    boolean live = plan.protect() || !plan.forwards().isEmpty();
    Target target = live ? resolved(named) : named;
    // the command's own conditions on the target, before anything is started for it
    admit.accept(target);
    // Ctrl-C or SIGTERM on a piped session: release the marks on the way out
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    hooked = true;
    String ref = target.namespace() + "/" + target.pod();
    // a post-mortem session watches the pod only: its container has ended, and may restart
    String watched = target.run() == TargetResolver.Run.LAST_ENDED ? "" : target.container();
    if (target.containerId().isEmpty()) {
      // server mode without forwards: the gateway resolves the container; a session that ends
      // killed or failed asks the pod then, with the user's credentials, whether it went away
      watch =
          Optional.of(
              TargetWatch.onDemand(
                  () -> cluster.library().client(), target.namespace(), target.pod(), watched, ""));
      return;
    }
    // the client library is opened off the session's path: by the watch and the protection in
    // the background, by the end-of-session check only when the session failed
    watch =
        Optional.of(
            live
                ? TargetWatch.start(
                    () -> cluster.library().client(),
                    target.namespace(),
                    target.pod(),
                    watched,
                    target.containerId(),
                    reason -> notice(reason + ": the session ends when the container stops"))
                : TargetWatch.onDemand(
                    () -> cluster.library().client(),
                    target.namespace(),
                    target.pod(),
                    watched,
                    target.containerId()));
    if (plan.protect()) {
      protection =
          Optional.of(
              TargetProtection.start(
                  () ->
                      new PodMarksWriter(
                          cluster.library().client(),
                          cluster.library().errors(),
                          target.namespace(),
                          target.pod(),
                          target.podUid()),
                  new TargetProtection.Plan(
                      "pod " + ref,
                      ProtectionLease.CLI,
                      message -> notice("warning: " + message),
                      "a background process retries; the marks expire within "
                          + ProtectionLease.CLI.ttl().toMinutes()
                          + " minutes and lambda-cntr cleanup removes expired ones"),
                  session ->
                      plan.guardian()
                          .map(g -> ProtectionGuardian.start(withTarget(g, target), session))));
    }
    if (!plan.forwards().isEmpty()) {
      PortForwarder started =
          PortForwarder.start(
              cluster.library().client(),
              target.namespace(),
              target.pod(),
              plan.forwards(),
              plan.addresses(),
              message -> notice(message),
              progress::detail);
      forwarder = Optional.of(started);
      for (PortForwarder.Listening l : started.listening()) {
        progress.info("forwarding " + l.describe() + " in pod " + ref);
      }
      onListening.accept(started.listening());
    }
  }

  /**
   * The target as its pod says, in server mode where only its names are known ({@link
   * dev.lambdacntr.cli.kube.ServerCluster#target}): the watch needs the container's ID to tell a
   * restart, and a debugger's check its host network. One GET of the pod with the user's own
   * credentials, which forwarding a port needs anyway (as {@code kubectl port-forward} does).
   */
  private Target resolved(Target named) {
    if (!named.containerId().isEmpty()) {
      return named;
    }
    ClusterConnection library = cluster.library();
    return new TargetResolver(library.client(), library.errors())
        .resolve(
            named.namespace(),
            named.pod(),
            Optional.of(named.container()).filter(c -> !c.isEmpty()));
  }

  /** Completes with the reason when the target is seen going; empty before {@link #beforeExec}. */
  Optional<CompletableFuture<String>> ending() {
    return watch.map(TargetWatch::ending);
  }

  /** The local ports, once listening (for a debugger's connect hint). */
  List<PortForwarder.Listening> listening() {
    return forwarder.map(PortForwarder::listening).orElse(List.of());
  }

  private static ProtectionGuardian.Spec withTarget(ProtectionGuardian.Spec spec, Target target) {
    return new ProtectionGuardian.Spec(
        spec.cli(), spec.clusterArgs(), target.namespace(), target.pod(), target.podUid());
  }

  /** A line for the user on stderr, even in the middle of a raw terminal session. */
  void notice(String message) {
    if (progress.quiet()) {
      return;
    }
    String line = "lambda-cntr: " + message;
    synchronized (stderr) {
      stderr.print(plan.rawTerminal() ? "\r\n" + line + "\r\n" : line + System.lineSeparator());
      stderr.flush();
    }
  }

  @Override
  public int afterExec(Target target, int status) {
    if (status >= 120) {
      gone()
          .ifPresent(
              reason -> {
                throw targetGone(reason);
              });
    }
    return status;
  }

  @Override
  public CntrException failed(Target target, CntrException failure) {
    if (target.containerId().isEmpty()) {
      // server mode: the gateway's refusals stand as they are; only a lost session may have lost
      // its target
      return switch (failure.exitCode()) {
        case POD_NOT_FOUND -> withCloseNames(target, failure);
        case SESSION_LOST -> gone().map(reason -> targetGone(reason, failure)).orElse(failure);
        default -> failure;
      };
    }
    return gone().map(reason -> targetGone(reason, failure)).orElse(failure);
  }

  /**
   * The gateway found no such pod: the names close to it, from a list with the user's own
   * credentials (as direct mode does), when they may list the namespace's pods.
   */
  private CntrException withCloseNames(Target target, CntrException failure) {
    ClusterConnection library = cluster.library();
    String close =
        new TargetResolver(library.client(), library.errors())
            .suggestions(target.namespace(), target.pod());
    return close.isEmpty()
        ? failure
        : new CntrException(ExitCode.POD_NOT_FOUND, failure.getMessage() + close, failure);
  }

  private Optional<String> gone() {
    return watch.flatMap(TargetWatch::check);
  }

  private static CntrException targetGone(String reason) {
    return new CntrException(ExitCode.TARGET_GONE, message(reason));
  }

  private static CntrException targetGone(String reason, Throwable cause) {
    return new CntrException(ExitCode.TARGET_GONE, message(reason), cause);
  }

  private static String message(String reason) {
    return "the session ended because its target went away: " + reason;
  }

  /** Stops forwarding and watching, and releases the protection (in that order). */
  @Override
  public synchronized void close() {
    if (hooked && Thread.currentThread() != shutdownHook) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException e) {
        // shutting down: the hook is this call's twin and finds nothing left to do
      }
    }
    hooked = false;
    List<AutoCloseable> parts = new ArrayList<>();
    forwarder.ifPresent(parts::add);
    watch.ifPresent(parts::add);
    protection.ifPresent(parts::add);
    for (AutoCloseable part : parts) {
      try {
        part.close();
      } catch (Exception e) {
        progress.warn("cleaning up after the session: " + e.getMessage());
      }
    }
    forwarder = Optional.empty();
    watch = Optional.empty();
    protection = Optional.empty();
  }
}
