package dev.lambdacntr.gateway.policy;

import dev.lambdacntr.gateway.KubeCalls;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * The current policy: ConfigMap {@value SessionPolicy#NAME} read at most every {@link #MAX_AGE}, so
 * that a change applies within seconds without a read per session. A policy that does not parse
 * refuses every session until it is fixed (fail closed).
 */
public final class PolicySource {

  public static final Duration MAX_AGE = Duration.ofSeconds(5);

  private final KubernetesClient client;
  private final String namespace;
  private final Supplier<Instant> clock;
  private ConfigMap cached;
  private Instant readAt = Instant.MIN;

  public PolicySource(KubernetesClient client, String namespace, Supplier<Instant> clock) {
    this.client = client;
    this.namespace = namespace;
    this.clock = clock;
  }

  /** The policy now. */
  public SessionPolicy current() {
    return SessionPolicy.fromConfigMap(namespace, configMap());
  }

  private synchronized ConfigMap configMap() {
    Instant now = clock.get();
    if (readAt.plus(MAX_AGE).isBefore(now)) {
      cached =
          KubeCalls.call(
              "get ConfigMap " + namespace + "/" + SessionPolicy.NAME,
              () -> client.configMaps().inNamespace(namespace).withName(SessionPolicy.NAME).get());
      readAt = now;
    }
    return cached;
  }
}
