package dev.lambdacntr.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import io.fabric8.kubernetes.api.model.Status;
import org.junit.jupiter.api.Test;

class GatewayErrorTest {

  @Test
  void aMissingReasonIsForbiddenWithItsOwnExitCodeInTheStatus() {
    assertThat(GatewayError.of(ExitCode.REASON_REQUIRED))
        .isEqualTo(new GatewayError(403, "Forbidden"));
    Status status =
        StatusResponses.of(new CntrException(ExitCode.REASON_REQUIRED, "a reason is required"));
    assertThat(status.getCode()).isEqualTo(403);
    assertThat(status.getDetails().getCauses())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.getReason()).isEqualTo(StatusResponses.EXIT_CODE_CAUSE);
              assertThat(c.getMessage()).isEqualTo("82");
            });
  }
}
