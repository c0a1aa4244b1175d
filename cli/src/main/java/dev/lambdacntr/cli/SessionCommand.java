package dev.lambdacntr.cli;

import dev.lambdacntr.cli.agent.RuntimeSocket;
import dev.lambdacntr.cli.kube.ClusterConnection;
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

  @Spec CommandSpec spec;

  SessionCommand(CliContext context) {
    this.context = context;
  }

  abstract String pod();

  abstract Optional<String> container();

  /** The remote command; empty for a login shell. */
  abstract List<String> command();

  /** Whether the remote side gets a terminal, given what stdin and stdout are. */
  abstract boolean wantsTty();

  @Override
  public Integer call() {
    cluster.validate();
    session.validate();
    Optional<RuntimeSocket> socket =
        Optional.ofNullable(session.socketPath)
            .map(
                path ->
                    new RuntimeSocket(
                        path,
                        spec.commandLine().getParseResult().hasMatchedOption("--socket-path")
                            ? "--socket-path"
                            : "SOCKET_PATH"));
    List<String> command = command();
    Progress progress = new Progress(context.stderr(), cluster.level(), context.startNanos());
    boolean tty = wantsTty();
    try (ClusterConnection connection =
        ClusterConnection.open(cluster.kubeconfig, cluster.context, context.env())) {
      SessionRequest request =
          new SessionRequest(
              session.namespace.orElse(connection.defaultNamespace()),
              pod(),
              container(),
              session.image,
              socket,
              cluster.timeout,
              session.idleTimeout,
              session.fs,
              tty,
              tty && context.stdinIsTerminal().getAsBoolean(),
              command,
              cluster.agentNamespace);
      return new SessionRunner(connection, context, progress).run(request);
    }
  }
}
