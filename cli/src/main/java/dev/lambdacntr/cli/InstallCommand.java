package dev.lambdacntr.cli;

import dev.lambdacntr.cli.install.ServerInstaller;
import dev.lambdacntr.cli.install.ServerManifests;
import dev.lambdacntr.cli.install.ServerPki;
import dev.lambdacntr.cli.kube.ClusterConnection;
import dev.lambdacntr.target.Version;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.time.Instant;
import java.util.List;
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

  @Mixin ServerNamespaceOption server = new ServerNamespaceOption();

  private static boolean isApiService(GenericKubernetesResource o) {
    return o.getKind().equals("APIService");
  }

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
      ServerPki pki = ServerPki.create(server.namespace, Instant.now());
      List<GenericKubernetesResource> objects =
          ServerManifests.forInstall(server.namespace, image, pki);
      // The APIService only once the gateway serves behind its Service: the API server's first
      // availability check then reaches it. (On a node where a Service's IP is not yet rewritten
      // by kube-proxy, that check's connection goes to the default route and stays there: seen on
      // the test bed as a FailedDiscoveryCheck with 404 for minutes.)
      installer.apply(objects.stream().filter(o -> !isApiService(o)).toList());
      installer.awaitReady(server.namespace, cluster.timeout, false);
      installer.apply(objects.stream().filter(InstallCommand::isApiService).toList());
      installer.awaitReady(server.namespace, cluster.timeout, true);
      progress.info(
          "server mode is installed in namespace "
              + server.namespace
              + " (image "
              + image
              + "); grant it per namespace: kubectl -n NS create rolebinding NAME"
              + " --clusterrole=lambda-cntr-debugger --user=USER");
      return 0;
    }
  }
}
