package dev.lambdacntr.cli;

import dev.lambdacntr.cli.direct.DirectCluster;
import dev.lambdacntr.cli.direct.Kubeconfig;
import dev.lambdacntr.cli.kube.ClusterConnection;
import dev.lambdacntr.cli.kube.LibraryCluster;
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
