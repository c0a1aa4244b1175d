package dev.lambdacntr.cli;

import dev.lambdacntr.cli.agent.AgentNames;
import dev.lambdacntr.cli.kube.ClusterConnection;
import dev.lambdacntr.target.ApiCall;
import dev.lambdacntr.target.KubeErrors;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code lambda-cntr cleanup}: removes the agents the CLI created (their Jobs, and so their pods)
 * at once, instead of waiting for their idle timeout. A DaemonSet's agents are left to it.
 */
@Command(
    name = "cleanup",
    mixinStandardHelpOptions = true,
    versionProvider = LambdaCntrCommand.VersionProvider.class,
    description = {
      "Remove the agent pods lambda-cntr created, now (they also remove themselves after their"
          + " idle timeout). Open sessions on them end. Agents of the optional DaemonSet stay."
    })
final class CleanupCommand implements Callable<Integer> {

  private final CliContext context;

  @Mixin ClusterOptions cluster;

  @Option(
      names = "--node",
      paramLabel = "NODE",
      description = "only the agent on this node (default: every node)")
  Optional<String> node = Optional.empty();

  CleanupCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    cluster.validate();
    Progress progress = new Progress(context.stderr(), cluster.level(), context.startNanos());
    progress.cold();
    try (ClusterConnection connection =
        ClusterConnection.open(cluster.kubeconfig, cluster.context, context.env())) {
      KubernetesClient client = connection.client();
      KubeErrors errors = connection.errors();
      String namespace = cluster.agentNamespace;
      Map<String, String> selector = selector();
      List<Job> jobs =
          errors.call(
              new ApiCall("list", "jobs.batch", namespace),
              () ->
                  client
                      .batch()
                      .v1()
                      .jobs()
                      .inNamespace(namespace)
                      .withLabels(selector)
                      .list()
                      .getItems());
      for (Job job : jobs) {
        errors.run(
            new ApiCall("delete", "jobs.batch", namespace),
            () ->
                client
                    .batch()
                    .v1()
                    .jobs()
                    .inNamespace(namespace)
                    .withName(job.getMetadata().getName())
                    .withPropagationPolicy(DeletionPropagation.BACKGROUND)
                    .delete());
        progress.phase("removed agent job " + namespace + "/" + job.getMetadata().getName());
      }
      // Delete the pods too, so they stop now rather than when the garbage collector gets to them.
      List<Pod> pods =
          errors.call(
              new ApiCall("list", "pods", namespace),
              () -> client.pods().inNamespace(namespace).withLabels(selector).list().getItems());
      for (Pod pod : pods) {
        if (ownedByJobOrNobody(pod)) {
          errors.run(
              new ApiCall("delete", "pods", namespace),
              () ->
                  client
                      .pods()
                      .inNamespace(namespace)
                      .withName(pod.getMetadata().getName())
                      .delete());
          progress.phase("removed agent pod " + namespace + "/" + pod.getMetadata().getName());
        }
      }
      if (jobs.isEmpty() && pods.isEmpty()) {
        progress.phase(
            "no agents to remove in namespace "
                + namespace
                + node.map(n -> " on node " + n).orElse(""));
      }
      new ExpiredProtections(connection, progress).release();
      return 0;
    }
  }

  private Map<String, String> selector() {
    return node.map(
            n ->
                Map.of(
                    AgentNames.NAME_LABEL,
                    AgentNames.NAME_VALUE,
                    AgentNames.NODE_LABEL,
                    AgentNames.nodeLabelValue(n)))
        .orElse(
            Map.of(
                AgentNames.NAME_LABEL,
                AgentNames.NAME_VALUE,
                AgentNames.MANAGED_BY_LABEL,
                AgentNames.MANAGED_BY_VALUE));
  }

  private static boolean ownedByJobOrNobody(Pod pod) {
    List<OwnerReference> owners =
        Optional.ofNullable(pod.getMetadata().getOwnerReferences()).orElse(List.of());
    return owners.isEmpty() || owners.stream().anyMatch(o -> "Job".equals(o.getKind()));
  }
}
