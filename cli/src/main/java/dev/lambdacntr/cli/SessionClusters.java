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
   * The cluster for {@code mode}: the gateway ({@link ServerCluster}) over the cluster's own
   * requests when {@link #serverMode} says so, else direct mode.
   */
  static SessionCluster open(
      ClusterOptions cluster, Environment env, Progress progress, String mode) {
    SessionCluster inner = open(cluster, env, progress);
    return serverMode(mode, inner, progress) ? new ServerCluster(inner) : inner;
  }

  /**
   * Whether sessions go through the gateway: {@code server}, {@code direct}, or {@code auto}:
   * server when the API server serves server mode's group (one discovery GET over {@code inner},
   * which every authenticated user may make); {@code -v} says which and why.
   */
  static boolean serverMode(String mode, SessionCluster inner, Progress progress) {
    switch (mode) {
      case "server" -> {
        progress.detail("mode: server (--mode server)");
        return true;
      }
      case "direct" -> {
        progress.detail("mode: direct (--mode direct)");
        return false;
      }
      default -> {
        int status = inner.probe(GatewayRequest.DISCOVERY);
        if (status == 200) {
          progress.detail("mode: server (" + GatewayRequest.DISCOVERY + " is served)");
          return true;
        }
        progress.detail(
            "mode: direct ("
                + GatewayRequest.DISCOVERY
                + " answered "
                + (status == 0 ? "nothing" : "HTTP " + status)
                + ": server mode is not installed or not available)");
        return false;
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
