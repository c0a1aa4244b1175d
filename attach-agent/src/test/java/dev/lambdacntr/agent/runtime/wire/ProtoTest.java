package dev.lambdacntr.agent.runtime.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class ProtoTest {
  @Test
  void writesTheWireFormat() {
    byte[] message = new Proto.Writer().string(1, "abc").uint(3, 300).bool(2, true).toByteArray();
    assertThat(HexFormat.of().formatHex(message)).isEqualTo("0a03616263" + "18ac02" + "1001");
  }

  @Test
  void readsNestedFieldsAndTakesTheLastOfARepeatedSingularField() {
    byte[] process =
        new Proto.Writer().string(1, "ctr").string(2, "").uint(3, 4242).uint(4, 2).toByteArray();
    byte[] response = new Proto.Writer().bytes(1, process).toByteArray();
    byte[] inner = Proto.field(response, 1).orElseThrow().bytes();
    assertThat(Proto.field(inner, 3).orElseThrow().varint()).isEqualTo(4242);
    assertThat(
            Proto.field(new Proto.Writer().uint(5, 1).uint(5, 2).toByteArray(), 5)
                .orElseThrow()
                .varint())
        .isEqualTo(2);
    assertThat(Proto.field(response, 9)).isEmpty();
  }
}
