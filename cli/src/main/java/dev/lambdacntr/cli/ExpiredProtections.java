package dev.lambdacntr.cli;

import dev.lambdacntr.cli.kube.ClusterConnection;
import dev.lambdacntr.cli.protect.PodMarksWriter;
import dev.lambdacntr.cli.protect.ProtectionMarks;
import dev.lambdacntr.protocol.CntrException;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.util.List;

/**
 * Part of {@code cleanup}: protection marks whose every session expired (their CLI and its guardian
 * both died, e.g. with the user's machine) are removed and the pods' own values restored.
 */
final class ExpiredProtections {

  private final ClusterConnection connection;
  private final Progress progress;

  ExpiredProtections(ClusterConnection connection, Progress progress) {
    this.connection = connection;
    this.progress = progress;
  }

  void release() {
    List<Pod> marked;
    try {
      marked =
          connection
              .client()
              .pods()
              .inAnyNamespace()
              .withLabel(ProtectionMarks.LABEL)
              .list()
              .getItems();
    } catch (KubernetesClientException e) {
      progress.detail("cannot list protected pods in every namespace: " + e.getMessage());
      return;
    }
    ProtectionMarks marks = new ProtectionMarks(connection.client().getKubernetesSerialization());
    for (Pod pod : marked) {
      String namespace = pod.getMetadata().getNamespace();
      String name = pod.getMetadata().getName();
      if (!marks.expired(pod.getMetadata().getAnnotations(), Instant.now())) {
        continue;
      }
      try {
        new PodMarksWriter(
                connection.client(),
                connection.errors(),
                namespace,
                name,
                pod.getMetadata().getUid())
            .release("expired");
        progress.phase("removed the expired protection of pod " + namespace + "/" + name);
      } catch (CntrException e) {
        progress.warn(
            "cannot remove the expired protection of pod "
                + namespace
                + "/"
                + name
                + ": "
                + e.getMessage());
      }
    }
  }
}
