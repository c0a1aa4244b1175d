package dev.lambdacntr.cli;

import dev.lambdacntr.cli.install.ServerInstaller;
import dev.lambdacntr.cli.install.ServerManifests;
import dev.lambdacntr.cli.kube.ClusterConnection;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code lambda-cntr uninstall}: removes what {@code install} made; idempotent. */
@Command(
    name = "uninstall",
    mixinStandardHelpOptions = true,
    versionProvider = LambdaCntrCommand.VersionProvider.class,
    description = {
      "Remove server mode: the APIService, the roles and their bindings, and the namespace with the"
          + " gateway, the node agents and the certificates (open sessions end). Waits until the"
          + " namespace is gone (--timeout). Objects already gone are skipped."
    })
final class UninstallCommand implements Callable<Integer> {

  private final CliContext context;

  @Mixin ClusterOptions cluster;

  @Mixin ServerNamespaceOption server = new ServerNamespaceOption();

  UninstallCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    cluster.validate();
    Progress progress = new Progress(context.stderr(), cluster.level(), context.startNanos());
    progress.cold();
    try (ClusterConnection connection =
        ClusterConnection.open(cluster.kubeconfig, cluster.context, context.env())) {
      new ServerInstaller(connection.client(), connection.errors(), progress)
          .delete(
              ServerManifests.forUninstall(server.namespace), server.namespace, cluster.timeout);
      progress.info("server mode is uninstalled (namespace " + server.namespace + ")");
      return 0;
    }
  }
}
