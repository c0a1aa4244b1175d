package dev.lambdacntr.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lambdacntr.gateway.ApiGroup;
import dev.lambdacntr.gateway.authz.AccessReviews;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import dev.lambdacntr.target.SessionReason;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The protect parameter's defaults mirror the CLI's: attach protects, execute does not. */
class SessionQueryTest {

  static String path(String sub) {
    return ApiGroup.PREFIX + "/namespaces/team-a/pods/web-1/" + sub;
  }

  @Test
  void attachProtectsByDefaultExecuteDoesNotAndEitherMaySayOtherwise() {
    assertThat(SessionQuery.parse(path("attach"), Map.of()).protect()).isTrue();
    assertThat(SessionQuery.parse(path("attach"), Map.of()).postMortem()).isFalse();
    assertThat(
            SessionQuery.parse(path("attach"), Map.of("postMortem", List.of("true"))).postMortem())
        .isTrue();
    assertThatThrownBy(
            () -> SessionQuery.parse(path("protect"), Map.of("postMortem", List.of("true"))))
        .hasMessage("postMortem is for attach and exec, not protect");
    assertThat(SessionQuery.parse(path("exec"), Map.of("command", List.of("ls"))).protect())
        .isFalse();
    assertThat(SessionQuery.parse(path("attach"), Map.of("protect", List.of("false"))).protect())
        .isFalse();
    assertThat(
            SessionQuery.parse(
                    path("exec"), Map.of("command", List.of("ls"), "protect", List.of("true")))
                .protect())
        .isTrue();
    assertThatThrownBy(() -> SessionQuery.parse(path("attach"), Map.of("protect", List.of("yes"))))
        .isInstanceOf(CntrException.class)
        .hasMessageContaining("protect must be true or false");
  }

  @Test
  void theProtectSubresourceAlwaysProtectsAndNeedsThePortForwardRight() {
    assertThat(SessionQuery.matches(path("protect"))).isTrue();
    assertThat(SessionQuery.parse(path("protect"), Map.of()).protect()).isTrue();
    assertThatThrownBy(
            () -> SessionQuery.parse(path("protect"), Map.of("protect", List.of("false"))))
        .isInstanceOf(CntrException.class);
    assertThat(AccessReviews.required(ApiGroup.PROTECT))
        .extracting(AccessReviews.Permission::describe)
        .containsExactly("pods/portforward", "pods/protect.cntr.lambda-cntr.dev");
  }

  @Test
  void theReasonIsReadCheckedAndOptional() {
    assertThat(SessionQuery.parse(path("attach"), Map.of()).reason()).isEmpty();
    assertThat(
            SessionQuery.parse(path("attach"), Map.of("reason", List.of(" INC-4711: 502s ")))
                .reason())
        .hasValue("INC-4711: 502s");
    assertThatThrownBy(
            () ->
                SessionQuery.parse(
                    path("attach"),
                    Map.of("reason", List.of("r".repeat(SessionReason.MAX_LENGTH + 1)))))
        .isInstanceOfSatisfying(
            CntrException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE))
        .hasMessageContaining("query parameter reason: the reason is 1025 characters long");
    assertThatThrownBy(
            () -> SessionQuery.parse(path("attach"), Map.of("reason", List.of("a", "b"))))
        .isInstanceOf(CntrException.class)
        .hasMessage("query parameter reason given 2 times");
  }
}
