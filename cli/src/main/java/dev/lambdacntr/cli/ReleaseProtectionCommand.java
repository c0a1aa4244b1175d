package dev.lambdacntr.cli;

import dev.lambdacntr.cli.kube.ClusterConnection;
import dev.lambdacntr.cli.protect.ProtectionGuardian;
import dev.lambdacntr.target.protect.PodMarksWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lambda-cntr release-protection}: what a session's guardian process runs when the CLI died
 * without releasing its hold on the target's protection marks. Hidden: users never need it.
 */
@Command(
    name = ProtectionGuardian.RELEASE_COMMAND,
    hidden = true,
    description = "Release a dead session's hold on a pod's protection marks.")
final class ReleaseProtectionCommand implements Callable<Integer> {

  static final String NAME = ProtectionGuardian.RELEASE_COMMAND;

  private final CliContext context;

  @Mixin ClusterOptions cluster;

  @Option(names = "-n", required = true, paramLabel = "NAMESPACE")
  String namespace;

  @Option(names = "--uid", required = true, paramLabel = "UID")
  String uid;

  @Option(names = "--session", required = true, paramLabel = "SESSION")
  String session;

  @Parameters(index = "0", paramLabel = "POD")
  String pod;

  ReleaseProtectionCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    cluster.validate();
    try (ClusterConnection connection =
        ClusterConnection.open(cluster.kubeconfig, cluster.context, context.env())) {
      new PodMarksWriter(connection.client(), connection.errors(), namespace, pod, uid)
          .release(session);
    }
    return 0;
  }
}
