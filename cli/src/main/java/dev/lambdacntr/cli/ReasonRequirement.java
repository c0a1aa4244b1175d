package dev.lambdacntr.cli;

import dev.lambdacntr.cli.kube.SessionCluster;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import java.util.Map;
import java.util.Optional;

/**
 * Direct mode's way for an administrator to require a reason for every session: the label {@value
 * #LABEL}{@code =true} on the agent namespace. Asked only when the session has no reason; a
 * namespace the user may not read requires nothing (said with {@code -v}). Server mode asks the
 * gateway's policy instead.
 */
final class ReasonRequirement {

  /** The agent namespace's label that requires a reason. */
  static final String LABEL = "lambda-cntr.dev/require-reason";

  private ReasonRequirement() {}

  /**
   * Refuses a session without a reason, before anything is started for it, when the agent namespace
   * requires one.
   */
  static void check(
      SessionCluster cluster, String agentNamespace, Optional<String> reason, Progress progress) {
    if (reason.isPresent() || cluster.gateway()) {
      return;
    }
    Optional<Map<String, String>> labels;
    try {
      labels = cluster.namespaceLabels(agentNamespace);
    } catch (CntrException e) {
      if (e.exitCode() != ExitCode.FORBIDDEN) {
        throw e;
      }
      progress.detail(
          "cannot read namespace "
              + agentNamespace
              + " to see whether it requires a reason ("
              + LABEL
              + "); going on without one: "
              + e.getMessage());
      return;
    }
    refuseWithout(agentNamespace, labels.orElse(Map.of()));
  }

  /** Throws {@link ExitCode#REASON_REQUIRED} when {@code labels} require a reason. */
  static void refuseWithout(String agentNamespace, Map<String, String> labels) {
    if ("true".equals(labels.get(LABEL))) {
      throw new CntrException(
          ExitCode.REASON_REQUIRED,
          "a reason is required: namespace "
              + agentNamespace
              + " is labelled "
              + LABEL
              + "=true; say why with --reason TEXT (or "
              + EnvDefaults.REASON
              + "); it is recorded in the session's Event");
    }
  }
}
