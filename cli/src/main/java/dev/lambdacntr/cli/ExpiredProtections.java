package dev.lambdacntr.cli;

import dev.lambdacntr.cli.kube.ClusterConnection;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.target.protect.ExpiredMarks;
import java.time.Instant;

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
    ExpiredMarks.Swept swept;
    try {
      swept = new ExpiredMarks(connection.client(), connection.errors(), Instant::now).sweep();
    } catch (CntrException e) {
      progress.detail("cannot list protected pods in every namespace: " + e.getMessage());
      return;
    }
    for (String pod : swept.released()) {
      progress.phase("removed the expired protection of pod " + pod);
    }
    for (String failure : swept.failures()) {
      progress.warn("cannot remove the expired protection of pod " + failure);
    }
  }
}
