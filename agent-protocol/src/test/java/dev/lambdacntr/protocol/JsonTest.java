package dev.lambdacntr.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

  @Test
  void parsesEveryKindOfValue() {
    Object v =
        Json.parse(
            " {\"a\": [1, -2.5e1, true, false, null, \"x\\\"y\\\\z\\n\\u00e9\\/\"], \"b\": {},"
                + " \"c\": []} ");
    assertThat(v)
        .isEqualTo(
            Map.of(
                "a",
                java.util.Arrays.asList(1L, -25.0, true, false, null, "x\"y\\z\né/"),
                "b",
                Map.of(),
                "c",
                List.of()));
  }

  @Test
  void pathsIntoObjects() {
    Object v = Json.parse("{\"status\":{\"userInfo\":{\"username\":\"alice\"}},\"items\":[1]}");
    assertThat(Json.string(v, "status", "userInfo", "username")).contains("alice");
    assertThat(Json.string(v, "status", "nope")).isEmpty();
    assertThat(Json.string(v, "items", "x")).isEmpty();
    assertThat(Json.array(v, "items")).containsExactly(1L);
    assertThat(Json.array(v, "status")).isEmpty();
  }

  @Test
  void badInputNamesTheOffset() {
    assertThatThrownBy(() -> Json.parse("{\"a\":1,}")).hasMessageContaining("offset 7");
    assertThatThrownBy(() -> Json.parse("[1 2]")).hasMessageContaining("expected ']'");
    assertThatThrownBy(() -> Json.parse("\"open")).hasMessageContaining("unterminated");
    assertThatThrownBy(() -> Json.parse("{} x")).hasMessageContaining("trailing");
    assertThatThrownBy(() -> Json.parse("tru")).hasMessageContaining("bad literal");
  }

  @Test
  void quoteRoundTrips() {
    String s = "a\"b\\c\nd\te\u0001f é";
    assertThat(Json.parse(Json.quote(s))).isEqualTo(s);
  }
}
