package dev.lambdacntr.agent.runtime.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import dev.lambdacntr.protocol.Json;
import org.junit.jupiter.api.Test;

class WireTest {
  @Test
  void readsARuntimeReply() {
    Object reply = Wire.json("{\"State\": {\"Pid\": 4711, \"Running\": true}}");
    assertThat(Json.path(reply, "State", "Pid")).contains(4711L);
    assertThat(Json.path(reply, "State", "Missing")).isEmpty();
  }

  @Test
  void malformedJsonIsARuntimeError() {
    assertThatThrownBy(() -> Wire.json("{\"a\": }"))
        .isInstanceOfSatisfying(
            CntrException.class,
            e -> assertThat(e.exitCode()).isEqualTo(ExitCode.AGENT_RUNTIME_ERROR))
        .hasMessageContaining("offset 6");
  }
}
