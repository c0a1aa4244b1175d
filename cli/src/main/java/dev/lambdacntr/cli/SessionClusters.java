package dev.lambdacntr.cli;

import dev.lambdacntr.cli.direct.DirectCluster;
import dev.lambdacntr.cli.direct.Kubeconfig;
import dev.lambdacntr.cli.exec.GatewayRequest;
import dev.lambdacntr.cli.kube.ClusterConnection;
import dev.lambdacntr.cli.kube.LibraryCluster;
import dev.lambdacntr.cli.kube.ServerCluster;
import dev.lambdacntr.cli.kube.SessionCluster;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Which {@link SessionCluster} answers a session: direct requests when the kubeconfig is one they
 * can use (certificates, tokens, files; not exec or auth-provider plugins), else the client
 * library. {@code LAMBDA_CNTR_CLIENT=library} (or {@code direct}) chooses, for comparing the two.
 */
final class SessionClusters {

  static final String CHOICE = "LAMBDA_CNTR_CLIENT";

  private SessionClusters() {}

  /**
   * The cluster for {@code mode}: {@code direct}, {@code server} (the gateway, {@link
   * ServerCluster}), or {@code auto}: server when the API server serves server mode's group (one
   * discovery GET, which every authenticated user may make), else direct; {@code -v} says which.
   * {@code serverPossible} is false when the session needs what server mode does not offer yet.
   */
  static SessionCluster open(
      ClusterOptions cluster,
      Environment env,
      Progress progress,
      String mode,
      boolean serverPossible) {
    SessionCluster inner = open(cluster, env, progress);
    switch (mode) {
      case "server" -> {
        if (!serverPossible) {
          inner.close();
          throw new CntrException(
              ExitCode.USAGE,
              "--mode server does not forward ports yet: use --mode direct for --port-forward");
        }
        progress.detail("mode: server (--mode server)");
        return new ServerCluster(inner);
      }
      case "direct" -> {
        progress.detail("mode: direct (--mode direct)");
        return inner;
      }
      default -> {
        if (!serverPossible) {
          progress.detail("mode: direct (server mode does not forward ports yet)");
          return inner;
        }
        int status = inner.probe(GatewayRequest.DISCOVERY);
        if (status == 200) {
          progress.detail("mode: server (" + GatewayRequest.DISCOVERY + " is served)");
          return new ServerCluster(inner);
        }
        progress.detail(
            "mode: direct ("
                + GatewayRequest.DISCOVERY
                + " answered "
                + (status == 0 ? "nothing" : "HTTP " + status)
                + ": server mode is not installed or not available)");
        return inner;
      }
    }
  }

  static SessionCluster open(ClusterOptions cluster, Environment env, Progress progress) {
    Supplier<ClusterConnection> library =
        () -> ClusterConnection.open(cluster.kubeconfig, cluster.context, env);
    String choice = env.get(CHOICE).orElse("");
    if (!choice.isEmpty() && !choice.equals("direct") && !choice.equals("library")) {
      throw new CntrException(
          ExitCode.USAGE, CHOICE + "=" + choice + ": expected 'direct' or 'library'");
    }
    if (!choice.equals("library")) {
      Kubeconfig.Result read = Kubeconfig.read(cluster.kubeconfig, cluster.context, env);
      Optional<SessionCluster> direct =
          read.connection().flatMap(config -> DirectCluster.open(config, progress, library));
      if (direct.isPresent()) {
        return direct.get();
      }
      if (read.connection().isEmpty()) {
        progress.detail("direct requests impossible (" + read.unsupported() + ")");
      }
    }
    return new LibraryCluster(library.get(), progress);
  }
}
