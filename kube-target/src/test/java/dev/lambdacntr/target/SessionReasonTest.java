package dev.lambdacntr.target;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SessionReasonTest {

  @Test
  void noReasonStaysNone() {
    assertThat(SessionReason.check(Optional.empty(), "--reason")).isEmpty();
  }

  @Test
  void aReasonIsKeptWithoutSurroundingBlanks() {
    assertThat(SessionReason.check(Optional.of("  INC-4711: 502s on checkout "), "--reason"))
        .hasValue("INC-4711: 502s on checkout");
  }

  @Test
  void theLongestReasonIsAccepted() {
    String longest = "r".repeat(SessionReason.MAX_LENGTH);
    assertThat(SessionReason.check(Optional.of(longest), "--reason")).hasValue(longest);
  }

  @Test
  void aLongerReasonIsRefusedNamingTheOriginAndTheLimit() {
    assertThatThrownBy(
            () ->
                SessionReason.check(
                    Optional.of("r".repeat(SessionReason.MAX_LENGTH + 1)), "--reason"))
        .isInstanceOfSatisfying(
            CntrException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE))
        .hasMessage("--reason: the reason is 1025 characters long; at most 1024 are recorded");
  }

  @Test
  void anEmptyReasonIsRefused() {
    assertThatThrownBy(() -> SessionReason.check(Optional.of("   "), "query parameter reason"))
        .isInstanceOf(CntrException.class)
        .hasMessage("query parameter reason: the reason must not be empty");
  }

  @Test
  void controlCharactersAreRefused() {
    assertThatThrownBy(() -> SessionReason.check(Optional.of("two\nlines"), "--reason"))
        .isInstanceOf(CntrException.class)
        .hasMessageContaining("one line of text");
    assertThatThrownBy(() -> SessionReason.check(Optional.of("bell\u0007"), "--reason"))
        .isInstanceOf(CntrException.class);
  }
}
