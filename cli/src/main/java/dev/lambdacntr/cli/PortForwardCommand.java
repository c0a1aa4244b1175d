package dev.lambdacntr.cli;

import dev.lambdacntr.cli.forward.PortForwardOptions;
import dev.lambdacntr.cli.forward.PortMapping;
import dev.lambdacntr.cli.kube.ClusterConnection;
import dev.lambdacntr.cli.kube.LibraryCluster;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import dev.lambdacntr.target.ApiCall;
import dev.lambdacntr.target.Target;
import dev.lambdacntr.target.TargetResolver;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lambda-cntr port-forward POD LOCAL:REMOTE...}: local ports carried to ports in the pod's
 * network namespace (no agent needed), until Ctrl-C or until the pod goes; the pod is protected
 * from scale-downs and evictions meanwhile.
 */
@Command(
    name = "port-forward",
    mixinStandardHelpOptions = true,
    versionProvider = LambdaCntrCommand.VersionProvider.class,
    description = {
      "Forward local ports to ports in a pod's network namespace (declared or not, such as a"
          + " debugger listening on 127.0.0.1 in the pod) until Ctrl-C or until the pod goes.",
      "While it runs the pod is the last its ReplicaSet removes and is protected from"
          + " evictions (--no-protect to leave it as it is)."
    })
final class PortForwardCommand implements Callable<Integer> {

  private final CliContext context;

  @Mixin ClusterOptions cluster;

  @Option(
      names = {"-n", "--namespace"},
      paramLabel = "NAMESPACE",
      description = "the pod's namespace (default: the kubeconfig context's, else default)")
  Optional<String> namespace = Optional.empty();

  @Option(
      names = "--address",
      paramLabel = "ADDRESS",
      split = ",",
      description = "local addresses to listen on (default: localhost)")
  List<String> addresses = List.of();

  @Option(
      names = "--protect",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description = "protect the pod from scale-down and eviction while forwarding (default: on)")
  boolean protect = true;

  @Parameters(index = "0", paramLabel = "POD", description = "the target pod")
  String pod;

  @Parameters(
      index = "1..*",
      arity = "1..*",
      paramLabel = "LOCAL:REMOTE",
      converter = PortForwardOptions.MappingConverter.class,
      description = "ports: LOCAL:REMOTE, PORT (same on both sides) or :REMOTE (any free local)")
  List<PortMapping> mappings;

  PortForwardCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    cluster.validate();
    Progress progress = new Progress(context.stderr(), cluster.level(), context.startNanos());
    try (ClusterConnection connection =
        ClusterConnection.open(cluster.kubeconfig, cluster.context, context.env())) {
      String ns = namespace.orElse(connection.defaultNamespace());
      Pod found =
          connection
              .errors()
              .call(
                  new ApiCall("get", "pods", ns),
                  () -> connection.client().pods().inNamespace(ns).withName(pod).get());
      if (found == null) {
        throw new CntrException(ExitCode.POD_NOT_FOUND, "pod " + ns + "/" + pod + " not found");
      }
      // the pod must be running; its first container is the one watched
      Target target =
          TargetResolver.select(
              found, Optional.of(found.getSpec().getContainers().get(0).getName()));
      CompletableFuture<String> gone = new CompletableFuture<>();
      try (TargetCompanion companion =
          new TargetCompanion(
              new LibraryCluster(connection, progress),
              context.stderr(),
              progress,
              new TargetCompanion.Plan(
                  mappings,
                  addresses.isEmpty() ? List.of("localhost") : addresses,
                  protect,
                  Optional.of(cluster.guardian()),
                  false),
              t -> {},
              ports -> {})) {
        companion.beforeExec(target);
        companion.ending().ifPresent(e -> e.thenAccept(gone::complete));
        progress.info("forwarding until Ctrl-C");
        String reason = gone.join();
        throw new CntrException(
            ExitCode.TARGET_GONE, "port forwarding ended because its target went away: " + reason);
      }
    }
  }
}
