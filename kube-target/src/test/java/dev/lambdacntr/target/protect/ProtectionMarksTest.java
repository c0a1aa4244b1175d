package dev.lambdacntr.target.protect;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProtectionMarksTest {

  private final ProtectionMarks marks = new ProtectionMarks(new KubernetesSerialization());
  private final Instant now = Instant.parse("2026-11-24T01:00:00Z");

  /** Applies a change as a JSON merge patch would. */
  private static Map<String, String> apply(
      Map<String, String> before, Map<String, Optional<String>> change) {
    Map<String, String> after = new HashMap<>(before);
    change.forEach((k, v) -> v.ifPresentOrElse(x -> after.put(k, x), () -> after.remove(k)));
    return after;
  }

  @Test
  void holdMarksThePodAndTheLastReleaseRestoresItsOwnValuesExactly() {
    Map<String, String> own = Map.of(ProtectionMarks.DELETION_COST, "-5", "team", "payments");
    ProtectionMarks.Change hold = marks.hold(own, "uid-1", "s1", now.plusSeconds(180), now);
    assertThat(hold.protectedAfter()).isTrue();
    assertThat(hold.labels()).containsEntry(ProtectionMarks.LABEL, Optional.of("uid-1"));
    Map<String, String> held = apply(own, hold.annotations());
    assertThat(held)
        .containsEntry(ProtectionMarks.DELETION_COST, "2147483647")
        .containsEntry(ProtectionMarks.SAFE_TO_EVICT, "false")
        .containsEntry("team", "payments")
        .containsKey(ProtectionMarks.STATE);

    // a second session joins, then the first leaves: still protected
    Map<String, String> twice =
        apply(held, marks.hold(held, "uid-1", "s2", now.plusSeconds(180), now).annotations());
    assertThat(marks.sessions(twice)).containsOnlyKeys("s1", "s2");
    ProtectionMarks.Change firstOut = marks.release(twice, "s1", now);
    assertThat(firstOut.protectedAfter()).isTrue();
    assertThat(firstOut.labels()).isEmpty();
    Map<String, String> one = apply(twice, firstOut.annotations());
    assertThat(one).containsEntry(ProtectionMarks.DELETION_COST, "2147483647");

    ProtectionMarks.Change lastOut = marks.release(one, "s2", now);
    assertThat(lastOut.protectedAfter()).isFalse();
    assertThat(lastOut.labels()).containsEntry(ProtectionMarks.LABEL, Optional.empty());
    assertThat(apply(one, lastOut.annotations())).isEqualTo(own);
  }

  @Test
  void expiredSessionsAreDroppedAndDoNotKeepThePodMarked() {
    Map<String, String> held =
        apply(Map.of(), marks.hold(Map.of(), "u", "dead", now.plusSeconds(10), now).annotations());
    assertThat(marks.expired(held, now)).isFalse();
    assertThat(marks.expired(held, now.plusSeconds(11))).isTrue();
    // a release by anyone after the expiry restores the pod (no annotation of its own)
    ProtectionMarks.Change sweep = marks.release(held, "someone-else", now.plusSeconds(11));
    assertThat(sweep.protectedAfter()).isFalse();
    assertThat(apply(held, sweep.annotations())).isEmpty();
  }

  @Test
  void releaseOfAnUnmarkedPodChangesNothing() {
    ProtectionMarks.Change c = marks.release(Map.of("a", "b"), "s", now);
    assertThat(c.annotations()).isEmpty();
    assertThat(c.labels()).isEmpty();
    assertThat(c.protectedAfter()).isFalse();
  }

  @Test
  void unreadableStateCountsAsExpired() {
    assertThat(marks.expired(Map.of(ProtectionMarks.STATE, "{not json"), now)).isTrue();
  }

  @Test
  void budgetNamesFitKubernetesLimits() {
    assertThat(PodMarksWriter.budgetName("web-1")).isEqualTo("lambda-cntr-web-1");
    String longName = "p".repeat(253);
    assertThat(PodMarksWriter.budgetName(longName)).hasSize(253).startsWith("lambda-cntr-ppp");
  }
}
