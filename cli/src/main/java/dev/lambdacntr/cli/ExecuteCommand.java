package dev.lambdacntr.cli;

import dev.lambdacntr.cli.kube.ClusterConnection;
import dev.lambdacntr.cli.kube.LibraryCluster;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lambda-cntr execute POD [CONTAINER] -- CMD [ARGS...]}: one command, its status back; with
 * {@code -l SELECTOR} in every matching pod at once.
 */
@Command(
    name = "execute",
    mixinStandardHelpOptions = true,
    versionProvider = LambdaCntrCommand.VersionProvider.class,
    customSynopsis = {
      "lambda-cntr execute [OPTIONS] POD [CONTAINER] -- CMD [ARGS...]",
      "lambda-cntr execute [OPTIONS] -l SELECTOR [--all-containers] [CONTAINER] -- CMD [ARGS...]"
    },
    description = {
      "Run one command inside a running container, with the debug image's tools, and exit with"
          + " its status.",
      "Without a terminal (stdin or stdout redirected) stdin and stdout are passed through byte"
          + " for byte and the end of stdin reaches the command: tar c . | lambda-cntr execute"
          + " POD -- tar x -C /tmp works. -t forces a terminal.",
      "With -l the command runs in every pod the label selector matches, in parallel across"
          + " nodes, each output line prefixed with the pod's name; the exit status is 0 when it"
          + " succeeded everywhere, else the first failed pod's, and the failed pods are listed."
    })
final class ExecuteCommand extends SessionCommand {

  @Parameters(
      index = "0..*",
      paramLabel = "ARG",
      description =
          "POD [CONTAINER] -- CMD [ARGS...] (with -l: [CONTAINER] -- CMD [ARGS...]): the target,"
              + " then the command after --")
  List<String> rest = List.of();

  @Option(
      names = {"-l", "--selector"},
      paramLabel = "SELECTOR",
      description = "run in every pod matching this label selector (app=web,tier!=db)")
  String selector;

  @Option(
      names = "--all-containers",
      description = "with -l: run in every container of each pod, prefixed POD/CONTAINER")
  boolean allContainers;

  @Option(
      names = "--max-parallel",
      paramLabel = "N",
      defaultValue = "8",
      description =
          "with -l: at most this many sessions, and agent starts, at once (default:"
              + " ${DEFAULT-VALUE})")
  int maxParallel = 8;

  @Option(
      names = "--pod-timeout",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      defaultValue = "5m",
      description =
          "with -l: a pod's session is ended after this long and counted as failed (default:"
              + " ${DEFAULT-VALUE})")
  Duration podTimeout = Duration.ofMinutes(5);

  @Mixin RecordOptions record;

  private boolean split;
  private Optional<String> pod = Optional.empty();
  private Optional<String> container = Optional.empty();
  private List<String> command = List.of();

  ExecuteCommand(CliContext context) {
    super(context);
  }

  @Override
  String pod() {
    split();
    return pod.orElseThrow(
        () ->
            new CntrException(
                ExitCode.USAGE,
                "execute needs a POD (or -l SELECTOR): lambda-cntr execute POD [CONTAINER] -- CMD"
                    + " [ARGS...]"));
  }

  @Override
  Optional<String> container() {
    split();
    return container;
  }

  @Override
  List<String> command() {
    split();
    return command;
  }

  /** Splits the positional arguments at the {@code --} picocli consumed. */
  private void split() {
    if (split) {
      return;
    }
    List<String> original = spec.commandLine().getParseResult().originalArgs();
    int dashes = original.indexOf("--");
    if (dashes < 0 || dashes == original.size() - 1) {
      throw new CntrException(
          ExitCode.USAGE,
          "execute needs a command after '--': lambda-cntr execute POD [CONTAINER] -- CMD"
              + " [ARGS...]");
    }
    int commandLength = original.size() - dashes - 1;
    List<String> before = rest.subList(0, rest.size() - commandLength);
    List<String> extra =
        selector == null && !before.isEmpty() ? before.subList(1, before.size()) : before;
    if (extra.size() > 1) {
      throw new CntrException(
          ExitCode.USAGE,
          "too many arguments before '--': "
              + String.join(" ", extra)
              + " (expected at most one CONTAINER)");
    }
    if (selector == null) {
      pod = before.stream().findFirst();
      container = before.stream().skip(1).findFirst();
    } else {
      container = before.stream().findFirst();
    }
    command = List.copyOf(rest.subList(rest.size() - commandLength, rest.size()));
    split = true;
  }

  @Override
  Optional<RecordOptions> recordOptions() {
    return Optional.of(record);
  }

  @Override
  boolean wantsTty() {
    return session.tty
        || (context.stdinIsTerminal().getAsBoolean() && context.stdoutIsTerminal().getAsBoolean());
  }

  @Override
  boolean protectsByDefault() {
    return false;
  }

  @Override
  public Integer call() {
    if (selector == null) {
      if (allContainers) {
        throw new CntrException(ExitCode.USAGE, "--all-containers needs -l SELECTOR");
      }
      return super.call();
    }
    return fanOut();
  }

  private int fanOut() {
    cluster.validate();
    session.validate();
    split();
    if (selector.isBlank()) {
      throw new CntrException(ExitCode.USAGE, "-l needs a label selector, such as app=web");
    }
    if (allContainers && container.isPresent()) {
      throw new CntrException(
          ExitCode.USAGE, "--all-containers and a CONTAINER name cannot be combined");
    }
    if (session.tty
        || !companions.forwards.mappings().isEmpty()
        || companions.protect != null
        || record.file != null) {
      throw new CntrException(
          ExitCode.USAGE, "-l runs without a terminal, port forwards, --record or --protect");
    }
    if (session.postMortem) {
      throw new CntrException(
          ExitCode.USAGE, "--post-mortem looks at one container's last run: name its POD, not -l");
    }
    if (maxParallel < 1) {
      throw new CntrException(
          ExitCode.USAGE, "--max-parallel must be at least 1, not " + maxParallel);
    }
    if (podTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new CntrException(
          ExitCode.USAGE,
          "--pod-timeout must be at least 1s, not " + DurationConverter.format(podTimeout));
    }
    Progress progress = new Progress(context.stderr(), cluster.level(), context.startNanos());
    warnAboutSocketPath(progress);
    try (ClusterConnection connection =
        ClusterConnection.open(cluster.kubeconfig, cluster.context, context.env())) {
      SessionRequest template =
          new SessionRequest(
              session.namespace.orElse(connection.defaultNamespace()),
              "",
              container,
              session.image,
              cluster.timeout,
              session.idleTimeout,
              session.fs,
              false,
              false,
              session.keepEnv,
              session.tmpSize(),
              session.noSeccomp,
              command,
              cluster.agentNamespace,
              session.reason(),
              false);
      boolean server =
          SessionClusters.serverMode(
              session.mode, new LibraryCluster(connection, progress), progress);
      return new FanoutExecution(connection, server, context, progress)
          .run(
              template,
              new FanoutExecution.Plan(
                  selector, container, allContainers, maxParallel, podTimeout));
    }
  }
}
