package dev.lambdacntr.gateway.protect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lambdacntr.target.KubeErrors;
import dev.lambdacntr.target.protect.PodMarksWriter;
import dev.lambdacntr.target.protect.ProtectionLease;
import dev.lambdacntr.target.protect.ProtectionMarks;
import dev.lambdacntr.target.protect.TargetProtection;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two gateway replicas against fabric8's CRUD mock: a hold one replica renews survives the other's
 * sweeps past its first lease, a hold nobody renews (a killed replica's) is swept, and a released
 * hold leaves the pod as it was.
 */
class GatewayProtectionsTest {

  static final ProtectionLease LEASE = new ProtectionLease(Duration.ofSeconds(3));

  KubernetesMockServer server;
  KubernetesClient client;

  @BeforeEach
  void start() {
    server =
        new KubernetesMockServer(
            new Context(),
            new MockWebServer(),
            new HashMap<>(),
            new KubernetesMixedDispatcher(new HashMap<>()),
            false);
    server.init();
    client = server.createClient();
  }

  @AfterEach
  void stop() {
    client.close();
    server.destroy();
  }

  Pod pod(String name) {
    return client
        .pods()
        .inNamespace("team-a")
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("team-a")
                .addToAnnotations(ProtectionMarks.DELETION_COST, "-5")
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("app")
                .withImage("app:1")
                .endContainer()
                .endSpec()
                .build())
        .create();
  }

  /**
   * The pod's annotations; the mock keeps a merge patch's nulls as values, where the API server
   * removes the keys, so a null is read as absent.
   */
  Map<String, String> annotations(String name) {
    return present(
        client.pods().inNamespace("team-a").withName(name).get().getMetadata().getAnnotations());
  }

  boolean labelled(String name) {
    return present(
            client.pods().inNamespace("team-a").withName(name).get().getMetadata().getLabels())
        .containsKey(ProtectionMarks.LABEL);
  }

  static Map<String, String> present(Map<String, String> values) {
    Map<String, String> present = new HashMap<>();
    if (values != null) {
      values.forEach(
          (k, v) -> {
            if (v != null) {
              present.put(k, v);
            }
          });
    }
    return present;
  }

  /** The pod's UID as the mock gave it. */
  String uid(String name) {
    return client.pods().inNamespace("team-a").withName(name).get().getMetadata().getUid();
  }

  PodMarksWriter writer(String name) {
    return new PodMarksWriter(client, new KubeErrors("mock"), "team-a", name, uid(name));
  }

  @Test
  void aRenewedHoldSurvivesTheOtherReplicasSweepsAndItsReleaseRestoresThePod() throws Exception {
    pod("web-1");
    GatewayProtections replicaA = new GatewayProtections(client, LEASE);
    GatewayProtections replicaB = new GatewayProtections(client, LEASE);

    TargetProtection held = replicaA.take("team-a", "web-1", uid("web-1"));
    assertThat(annotations("web-1"))
        .containsEntry(ProtectionMarks.DELETION_COST, ProtectionMarks.HIGHEST_COST)
        .containsEntry(ProtectionMarks.SAFE_TO_EVICT, "false");
    assertThat(writer("web-1").budgetExists()).isTrue();

    // past two leases: only renewals keep it alive
    long end = System.nanoTime() + LEASE.ttl().multipliedBy(2).toNanos();
    while (System.nanoTime() < end) {
      assertThat(replicaB.sweep().released()).isEmpty();
      Thread.sleep(500);
    }
    assertThat(labelled("web-1")).isTrue();

    replicaA.release(held);
    assertThat(replicaA.holding()).isZero();
    assertThat(labelled("web-1")).isFalse();
    assertThat(annotations("web-1"))
        .containsEntry(ProtectionMarks.DELETION_COST, "-5")
        .doesNotContainKeys(ProtectionMarks.SAFE_TO_EVICT, ProtectionMarks.STATE);
    assertThat(writer("web-1").budgetExists()).isFalse();
  }

  @Test
  void aKilledReplicasHoldIsSweptOnceItsLeaseExpires() throws Exception {
    pod("web-2");
    // a replica killed right after marking: nobody renews or releases
    writer("web-2").hold("killed-replica", Instant.now().plusSeconds(1));
    GatewayProtections survivor = new GatewayProtections(client, LEASE);
    assertThat(survivor.sweep().released()).isEmpty();
    assertThat(labelled("web-2")).isTrue();

    Thread.sleep(1_500);
    assertThat(survivor.sweep().released()).containsExactly("team-a/web-2");
    assertThat(labelled("web-2")).isFalse();
    assertThat(annotations("web-2"))
        .containsEntry(ProtectionMarks.DELETION_COST, "-5")
        .doesNotContainKey(ProtectionMarks.STATE);
    assertThat(writer("web-2").budgetExists()).isFalse();
  }

  @Test
  void aPodThatIsGoneCannotBeProtected() {
    GatewayProtections gateway = new GatewayProtections(client, LEASE);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> gateway.take("team-a", "gone", "uid-gone"))
        .hasMessageContaining("pod team-a/gone");
    assertThat(gateway.holding()).isZero();
  }
}
