package dev.lambdacntr.agent.runtime.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lambdacntr.protocol.CntrException;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonTest {
  @Test
  void readsNestedValues() {
    Object json =
        Json.parse(
            "{\"State\": {\"Pid\": 4711, \"Running\": true, \"Name\": \"a\\u0041\\n\"}, \"x\": [1, 2.5, null]}");
    assertThat(Json.path(json, "State", "Pid")).contains(4711L);
    assertThat(Json.path(json, "State", "Running")).contains(true);
    assertThat(Json.path(json, "State", "Name")).contains("aA\n");
    assertThat(Json.path(json, "x")).contains(java.util.Arrays.asList(1L, 2.5, null));
    assertThat(Json.path(json, "State", "Missing")).isEmpty();
    assertThat(Json.path(json, "x", "y")).isEmpty();
    assertThat(List.of()).isEmpty();
  }

  @Test
  void malformedJsonIsARuntimeError() {
    assertThatThrownBy(() -> Json.parse("{\"a\": }"))
        .isInstanceOf(CntrException.class)
        .hasMessageContaining("offset");
  }
}
