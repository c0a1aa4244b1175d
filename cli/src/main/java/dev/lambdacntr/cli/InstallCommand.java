package dev.lambdacntr.cli;

import dev.lambdacntr.cli.install.ServerInstaller;
import dev.lambdacntr.cli.install.ServerManifests;
import dev.lambdacntr.cli.install.ServerPki;
import dev.lambdacntr.cli.kube.ClusterConnection;
import dev.lambdacntr.target.Version;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code lambda-cntr install}: server mode (manifests/server/) with a new CA and certificates,
 * applied server-side; returns when the API server serves {@code cntr.lambda-cntr.dev}.
 */
@Command(
    name = "install",
    mixinStandardHelpOptions = true,
    versionProvider = LambdaCntrCommand.VersionProvider.class,
    description = {
      "Install server mode: the gateway behind the APIService v1alpha1.cntr.lambda-cntr.dev, the"
          + " node agents' DaemonSet, their roles, and a new CA with the gateway's and the agents'"
          + " certificates (so running it again rotates them). Idempotent. Waits until the"
          + " APIService is Available (--timeout)."
    })
final class InstallCommand implements Callable<Integer> {

  private final CliContext context;

  @Mixin ClusterOptions cluster;

  @Option(
      names = {"-i", "--image"},
      paramLabel = "IMAGE",
      description =
          "the debug image the gateway and the node agents run (default: ${DEFAULT-VALUE})")
  String image = Version.defaultImage();

  @Option(
      names = {"-n", "--namespace"},
      paramLabel = "NAMESPACE",
      defaultValue = ServerManifests.DEFAULT_NAMESPACE,
      description = "the namespace of the gateway and the node agents (default: ${DEFAULT-VALUE})")
  String namespace = ServerManifests.DEFAULT_NAMESPACE;

  InstallCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    cluster.validate();
    Progress progress = new Progress(context.stderr(), cluster.level(), context.startNanos());
    progress.cold();
    try (ClusterConnection connection =
        ClusterConnection.open(cluster.kubeconfig, cluster.context, context.env())) {
      ServerInstaller installer =
          new ServerInstaller(connection.client(), connection.errors(), progress);
      ServerPki pki = ServerPki.create(namespace, Instant.now());
      installer.apply(ServerManifests.forInstall(namespace, image, pki));
      installer.awaitReady(namespace, cluster.timeout);
      progress.info(
          "server mode is installed in namespace "
              + namespace
              + " (image "
              + image
              + "); grant it per namespace: kubectl -n NS create rolebinding NAME"
              + " --clusterrole=lambda-cntr-debugger --user=USER");
      return 0;
    }
  }
}
