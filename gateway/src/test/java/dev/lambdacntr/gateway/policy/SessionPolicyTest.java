package dev.lambdacntr.gateway.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The policy's {@code requireReason}: off by default, read strictly, refusing with its own code.
 */
class SessionPolicyTest {

  static ConfigMap policy(Map<String, String> data) {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(SessionPolicy.NAME)
        .endMetadata()
        .withData(data)
        .build();
  }

  @Test
  void noReasonIsRequiredByDefault() {
    assertThat(SessionPolicy.defaults("sys").requireReason()).isFalse();
    assertThat(SessionPolicy.fromConfigMap("sys", policy(Map.of())).requireReason()).isFalse();
    SessionPolicy.defaults("sys").checkReason(Optional.empty());
  }

  @Test
  void aRequiredReasonRefusesASessionWithoutOneNamingThePolicyAndTheOption() {
    SessionPolicy p = SessionPolicy.fromConfigMap("sys", policy(Map.of("requireReason", "true")));
    assertThat(p.requireReason()).isTrue();
    assertThatThrownBy(() -> p.checkReason(Optional.empty()))
        .isInstanceOfSatisfying(
            CntrException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.REASON_REQUIRED))
        .hasMessageContaining("policy sys/lambda-cntr-policy (requireReason: true)")
        .hasMessageContaining("--reason TEXT");
    p.checkReason(Optional.of("INC-4711"));
  }

  @Test
  void aMalformedRequireReasonFailsClosed() {
    assertThatThrownBy(
            () -> SessionPolicy.fromConfigMap("sys", policy(Map.of("requireReason", "yes"))))
        .isInstanceOf(CntrException.class)
        .hasMessage(
            "policy sys/lambda-cntr-policy is invalid: requireReason must be true or false, not"
                + " 'yes'");
  }
}
