package dev.lambdacntr.cli;

import dev.lambdacntr.cli.agent.AgentNames;
import dev.lambdacntr.cli.install.ServerInstaller;
import dev.lambdacntr.cli.install.ServerManifests;
import dev.lambdacntr.cli.kube.ClusterConnection;
import dev.lambdacntr.cli.status.ServerStatus;
import dev.lambdacntr.cli.status.StatusReport;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.target.ApiCall;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code lambda-cntr status}: whether server mode is installed and ready, the gateway's replicas
 * and the node agents per node with their versions, and direct mode's agents.
 */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    versionProvider = LambdaCntrCommand.VersionProvider.class,
    description = {
      "Show server mode: whether it is installed (the APIService and whether it is Available), the"
          + " gateway's replicas and the node agents per node (ready, version, image), and direct"
          + " mode's agent pods in --agent-namespace.",
      "Exits 0 when server mode is installed and ready, 81 when it is not installed, 74 naming"
          + " what is not ready. Reading it needs get on the APIService and list on pods,"
          + " Deployments and DaemonSets in its namespace (an administrator's view)."
    })
final class StatusCommand implements Callable<Integer> {

  private final CliContext context;

  @Mixin ClusterOptions cluster;

  @Mixin ServerNamespaceOption server = new ServerNamespaceOption();

  StatusCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    cluster.validate();
    Progress progress = new Progress(context.stderr(), cluster.level(), context.startNanos());
    try (ClusterConnection connection =
        ClusterConnection.open(cluster.kubeconfig, cluster.context, context.env())) {
      ServerStatus status =
          new ServerStatus(
              server.namespace,
              new ServerInstaller(connection.client(), connection.errors(), progress)
                  .read(server.namespace, true),
              pods(connection, server.namespace, ServerManifests.GATEWAY),
              pods(connection, server.namespace, ServerManifests.NODE_AGENT),
              cluster.agentNamespace,
              pods(connection, cluster.agentNamespace, AgentNames.NAME_VALUE));
      PrintStream out = new PrintStream(context.stdout(), true, StandardCharsets.UTF_8);
      StatusReport.lines(status).forEach(out::println);
      Optional<CntrException> failure = StatusReport.failure(status);
      if (failure.isPresent()) {
        throw failure.get();
      }
      return 0;
    }
  }

  /** The pods labelled {@code app.kubernetes.io/name=NAME} in {@code ns}. */
  private static List<ServerStatus.PodState> pods(
      ClusterConnection connection, String ns, String name) {
    return connection
        .errors()
        .call(
            new ApiCall("list", "pods", ns),
            () ->
                connection
                    .client()
                    .pods()
                    .inNamespace(ns)
                    .withLabel(AgentNames.NAME_LABEL, name)
                    .list()
                    .getItems())
        .stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .map(StatusCommand::state)
        .toList();
  }

  private static ServerStatus.PodState state(Pod pod) {
    boolean ready =
        pod.getStatus() != null
            && pod.getStatus().getConditions() != null
            && pod.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    return new ServerStatus.PodState(
        pod.getMetadata().getName(),
        Objects.requireNonNullElse(pod.getSpec().getNodeName(), ""),
        ready,
        pod.getSpec().getContainers().getFirst().getImage());
  }
}
