package dev.lambdacntr.cli;

import dev.lambdacntr.cli.exec.ExecStream;
import dev.lambdacntr.cli.exec.GatewayProtection;
import dev.lambdacntr.cli.forward.PortForwardOptions;
import dev.lambdacntr.cli.forward.PortMapping;
import dev.lambdacntr.cli.kube.ClusterConnection;
import dev.lambdacntr.cli.kube.ServerCluster;
import dev.lambdacntr.cli.kube.SessionCluster;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import dev.lambdacntr.target.ApiCall;
import dev.lambdacntr.target.Target;
import dev.lambdacntr.target.TargetResolver;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.OutputStream;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lambda-cntr port-forward POD LOCAL:REMOTE...}: local ports carried to ports in the pod's
 * network namespace (no agent needed), until Ctrl-C or until the pod goes; the pod is protected
 * from scale-downs and evictions meanwhile. The forward is the core {@code pods/portforward}, with
 * the user's credentials, in either mode; in server mode the protection is the gateway's ({@link
 * GatewayProtection}), held as long as this command runs.
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

  @Option(
      names = "--mode",
      paramLabel = "MODE",
      defaultValue = "auto",
      description =
          "who protects the pod: server: the installed gateway (lambda-cntr install); direct: this"
              + " CLI, with your rights to patch it; auto: server when the API server serves it,"
              + " else direct (default: ${DEFAULT-VALUE}). The ports are forwarded by the API"
              + " server in every mode.")
  String mode = "auto";

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
    if (!List.of("auto", "server", "direct").contains(mode)) {
      throw new CntrException(
          ExitCode.USAGE, "--mode must be auto, server or direct, not '" + mode + "'");
    }
    Progress progress = new Progress(context.stderr(), cluster.level(), context.startNanos());
    try (SessionCluster sessionCluster =
        SessionClusters.open(cluster, context.env(), progress, mode)) {
      ClusterConnection connection = sessionCluster.library();
      String ns = namespace.orElse(sessionCluster.defaultNamespace());
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
      boolean byGateway = sessionCluster.protectsInGateway(protect);
      try (AutoCloseable gatewayHold =
              byGateway && protect ? gatewayProtection(sessionCluster, ns, progress) : () -> {};
          TargetCompanion companion =
              new TargetCompanion(
                  sessionCluster,
                  context.stderr(),
                  progress,
                  new TargetCompanion.Plan(
                      mappings,
                      addresses.isEmpty() ? List.of("localhost") : addresses,
                      protect && !byGateway,
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
      } catch (CntrException e) {
        throw e;
      } catch (Exception e) {
        throw new CntrException(ExitCode.INTERNAL, "port-forward: " + e.getMessage(), e);
      }
    }
  }

  /**
   * Asks the gateway to protect the pod while this runs: a WebSocket it holds the marks for. Like
   * direct mode's marks, a failure is a warning: the forward goes on unprotected.
   */
  private AutoCloseable gatewayProtection(SessionCluster cluster, String ns, Progress progress) {
    String ref = "pod " + ns + "/" + pod;
    try {
      ExecStream hold =
          cluster.exec(
              new GatewayProtection(ns, pod),
              OutputStream.nullOutputStream(),
              context.stderr(),
              this.cluster.timeout,
              "the protection of " + ref + " through " + ServerCluster.GATEWAY);
      progress.detail("server mode: the gateway protects " + ref + " while forwarding");
      AtomicBoolean closing = new AtomicBoolean();
      hold.outcome()
          .whenComplete(
              (outcome, failure) -> {
                if (!closing.get()) {
                  progress.warn(
                      "the gateway stopped protecting "
                          + ref
                          + (failure == null ? "" : ": " + failure.getMessage()));
                }
              });
      return () -> {
        closing.set(true);
        hold.close();
      };
    } catch (CntrException e) {
      progress.warn("cannot protect " + ref + " from scale-down and eviction: " + e.getMessage());
      return () -> {};
    }
  }
}
