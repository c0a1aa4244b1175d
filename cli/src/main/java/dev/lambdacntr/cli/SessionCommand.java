package dev.lambdacntr.cli;

import dev.lambdacntr.cli.forward.PortForwarder;
import dev.lambdacntr.cli.forward.PortMapping;
import dev.lambdacntr.cli.kube.SessionCluster;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import dev.lambdacntr.target.Target;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What attach and execute share: options, validation, and handing over to the runner. */
abstract class SessionCommand implements Callable<Integer> {

  final CliContext context;

  @Mixin ClusterOptions cluster;

  @Mixin SessionOptions session;

  @Mixin CompanionOptions companions;

  @Spec CommandSpec spec;

  SessionCommand(CliContext context) {
    this.context = context;
  }

  abstract String pod();

  abstract Optional<String> container();

  /** The remote command; empty for a shell. */
  abstract List<String> command();

  /** Whether the remote side gets a terminal, given what stdin and stdout are. */
  abstract boolean wantsTty();

  /** Whether the target is protected unless {@code --[no-]protect} says otherwise. */
  abstract boolean protectsByDefault();

  /** The ports to forward: {@code --port-forward}, plus what the command itself needs. */
  List<PortMapping> forwards() {
    return companions.forwards.mappings();
  }

  /** The context the session runs with: this run's, unless the command changes its input. */
  CliContext sessionContext() {
    return context;
  }

  /** {@code --record} and {@code --record-input}, for the commands that have them. */
  Optional<RecordOptions> recordOptions() {
    return Optional.empty();
  }

  /** How the session reaches its agent: {@code --mode}, once a post-mortem is known to fit. */
  private String mode() {
    if (session.postMortem && !postMortemServed()) {
      throw new CntrException(
          ExitCode.USAGE,
          "--post-mortem is for attach, execute and cp: "
              + spec.name()
              + " needs a running process");
    }
    return session.mode;
  }

  /** Whether the command can run in what a container's ended run left (debug cannot). */
  boolean postMortemServed() {
    return true;
  }

  /** Refuses a target the command must not run against (throws); called before the exec. */
  void admit(Target target) {}

  /** Called once the forwarded ports listen (a debugger's connect hint). */
  void listening(List<PortForwarder.Listening> ports, Progress progress) {}

  /**
   * Warns about {@code --socket-path} and {@code SOCKET_PATH}: accepted for one release and
   * ignored, since the agent finds the target by its cgroup and needs no runtime socket.
   */
  void warnAboutSocketPath(Progress progress) {
    if (session.socketPath != null) {
      String origin =
          spec.commandLine().getParseResult().hasMatchedOption("--socket-path")
              ? "--socket-path"
              : "SOCKET_PATH";
      progress.warn(
          origin
              + " is deprecated and ignored: the agent finds the target by its cgroup (it goes"
              + " in the next release)");
    }
  }

  @Override
  public Integer call() {
    cluster.validate();
    session.validate();
    List<String> command = command();
    Progress progress = new Progress(context.stderr(), cluster.level(), context.startNanos());
    warnAboutSocketPath(progress);
    boolean tty = wantsTty();
    boolean rawTerminal = tty && context.stdinIsTerminal().getAsBoolean();
    Optional<Path> recordTo = recordOptions().flatMap(r -> r.file(tty));
    try (SessionCluster sessionCluster =
            SessionClusters.open(cluster, context.env(), progress, mode());
        TargetCompanion companion =
            new TargetCompanion(
                sessionCluster,
                context.stderr(),
                progress,
                new TargetCompanion.Plan(
                    forwards(),
                    companions.forwards.addresses(),
                    protect(sessionCluster, progress),
                    Optional.of(cluster.guardian()),
                    rawTerminal),
                this::admit,
                ports -> listening(ports, progress));
        SessionRecording recording =
            SessionRecording.start(
                recordTo, rawTerminal, context.env(), m -> companion.notice("warning: " + m))) {
      SessionRequest request = request(sessionCluster.defaultNamespace(), command, tty);
      boolean recordInput = recordOptions().map(r -> r.input).orElse(false);
      return new SessionRunner(sessionCluster, sessionContext(), progress)
          .run(request, recording.around(companion, recordInput));
    }
  }

  /**
   * Whether this CLI protects the target: not in server mode, where the gateway sets and removes
   * the marks for the session's life (the user need not hold the rights to patch the pod, and no
   * guardian process is needed).
   */
  private boolean protect(SessionCluster sessionCluster, Progress progress) {
    boolean protect = companions.protect(protectsByDefault());
    if (sessionCluster.protectsInGateway(protect)) {
      if (protect) {
        progress.detail("server mode: the gateway protects the target while the session lives");
      }
      return false;
    }
    return protect;
  }

  private SessionRequest request(String defaultNamespace, List<String> command, boolean tty) {
    return new SessionRequest(
        session.namespace.orElse(defaultNamespace),
        pod(),
        container(),
        session.image,
        cluster.timeout,
        session.idleTimeout,
        session.fs,
        tty,
        tty && context.stdinIsTerminal().getAsBoolean(),
        session.keepEnv,
        session.tmpSize(),
        session.noSeccomp,
        command,
        cluster.agentNamespace,
        session.reason(),
        session.postMortem);
  }
}
