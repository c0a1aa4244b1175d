package dev.lambdacntr.target;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AuditEventsTest {

  static final Target TARGET =
      new Target(
          "shop",
          "cart-7d9f",
          "uid-1",
          "app",
          "worker-2",
          "abc",
          "containerd",
          false,
          TargetResolver.Run.CURRENT);
  static final Instant NOW = Instant.parse("2026-11-23T10:15:30.123456789Z");

  @Test
  void attachIsRecordedWholeOnTheTargetPod() {
    Event e =
        AuditEvents.build(
            TARGET,
            "alice",
            "ghcr.io/lambda-cntr/debug:0.1.0",
            "lambda-cntr/agent-x",
            List.of(),
            Optional.empty(),
            NOW);
    Event expected =
        new EventBuilder()
            .withNewMetadata()
            .withName("cart-7d9f.lc" + Long.toHexString(1795428930123456789L))
            .withNamespace("shop")
            .endMetadata()
            .withNewInvolvedObject()
            .withApiVersion("v1")
            .withKind("Pod")
            .withNamespace("shop")
            .withName("cart-7d9f")
            .withUid("uid-1")
            .withFieldPath("spec.containers{app}")
            .endInvolvedObject()
            .withType("Normal")
            .withReason("LambdaCntrAttach")
            .withAction("Attach")
            .withMessage(
                "alice attached a debug shell to container app (image ghcr.io/lambda-cntr/debug:0.1.0, agent lambda-cntr/agent-x)")
            .withNewSource()
            .withComponent("lambda-cntr")
            .endSource()
            .withFirstTimestamp("2026-11-23T10:15:30Z")
            .withLastTimestamp("2026-11-23T10:15:30Z")
            .withCount(1)
            .build();
    assertThat(e).isEqualTo(expected);
  }

  @Test
  void executeNamesTheCommandAbbreviated() {
    Event e =
        AuditEvents.build(
            TARGET,
            "bob",
            "img",
            "a/b",
            List.of("sh", "-c", "x".repeat(400)),
            Optional.empty(),
            NOW);
    assertThat(e.getReason()).isEqualTo("LambdaCntrExecute");
    assertThat(e.getAction()).isEqualTo("Execute");
    assertThat(e.getMessage())
        .startsWith("bob executed 'sh -c xxx")
        .contains("...' in container app (image img, agent a/b)");
    assertThat(e.getMessage().length()).isLessThan(350);
  }

  @Test
  void theReasonIsInTheMessageAndWholeInAnAnnotation() {
    String reason = "INC-4711: checkout returns 502 " + "y".repeat(400);
    Event e =
        AuditEvents.build(TARGET, "bob", "img", "a/b", List.of("ps"), Optional.of(reason), NOW);
    assertThat(e.getMessage())
        .startsWith(
            "bob executed 'ps' in container app (image img, agent a/b), reason: \"INC-4711:"
                + " checkout returns 502 yyy")
        .endsWith("...\"");
    assertThat(e.getMetadata().getAnnotations())
        .isEqualTo(Map.of(AuditEvents.REASON_ANNOTATION, reason));
  }

  @Test
  void withoutAReasonThereIsNoAnnotation() {
    Event e = AuditEvents.build(TARGET, "bob", "img", "a/b", List.of(), Optional.empty(), NOW);
    assertThat(e.getMetadata().getAnnotations()).isNullOrEmpty();
    assertThat(e.getMessage()).doesNotContain("reason");
  }
}
