package dev.lambdacntr.gateway.protect;

import dev.lambdacntr.gateway.http.GatewayLog;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.target.KubeErrors;
import dev.lambdacntr.target.protect.ExpiredMarks;
import dev.lambdacntr.target.protect.PodMarksWriter;
import dev.lambdacntr.target.protect.ProtectionLease;
import dev.lambdacntr.target.protect.TargetProtection;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Server mode's protection marks, set by the gateway with its own ServiceAccount (users need no
 * right to patch pods or create PodDisruptionBudgets): a hold per protected session, taken before
 * the session opens, renewed under the gateway's {@link ProtectionLease} while it lives and
 * released when it ends by any path; and a periodic sweep of expired holds, which removes what a
 * killed replica left behind but never a hold another replica still renews.
 */
public final class GatewayProtections {

  private final KubernetesClient client;
  private final KubeErrors errors;
  private final ProtectionLease lease;
  private final Set<TargetProtection> live = ConcurrentHashMap.newKeySet();

  public GatewayProtections(KubernetesClient client, ProtectionLease lease) {
    this.client = client;
    this.errors = new KubeErrors(String.valueOf(client.getMasterUrl()));
    this.lease = lease;
  }

  /**
   * Marks the pod for one session (blocking); a {@link CntrException} when it cannot. The holder
   * must be given back to {@link #release}.
   */
  public TargetProtection take(String namespace, String pod, String podUid) {
    String ref = "pod " + namespace + "/" + pod;
    TargetProtection held =
        TargetProtection.take(
            new PodMarksWriter(client, errors, namespace, pod, podUid),
            new TargetProtection.Plan(
                ref,
                lease,
                GatewayLog::info,
                "the gateway's sweep removes them when their lease of "
                    + lease.ttl().toSeconds()
                    + " seconds expires"));
    live.add(held);
    return held;
  }

  /** Releases one session's hold (blocking). */
  public void release(TargetProtection held) {
    if (live.remove(held)) {
      held.close();
    }
  }

  /** Releases every hold of this replica: it is shutting down. */
  public void releaseAll() {
    live.forEach(this::release);
  }

  /** How many holds this replica renews. */
  public int holding() {
    return live.size();
  }

  /** One sweep of the cluster's expired holds (blocking). */
  public ExpiredMarks.Swept sweep() {
    return new ExpiredMarks(client, errors, Instant::now).sweep();
  }

  /** Sweeps every {@code interval}, off the event loop, logging what it removed. */
  public void sweepEvery(Vertx vertx, Duration interval) {
    vertx.setPeriodic(
        interval.toMillis(),
        id ->
            vertx
                .executeBlocking(this::sweep, false)
                .onSuccess(
                    swept -> {
                      swept
                          .released()
                          .forEach(p -> GatewayLog.info("removed the expired protection of " + p));
                      swept
                          .failures()
                          .forEach(
                              f -> GatewayLog.info("cannot remove the expired protection of " + f));
                    })
                .onFailure(e -> GatewayLog.info("protection sweep failed: " + e.getMessage())));
  }
}
