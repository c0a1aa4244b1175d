package dev.lambdacntr.agent.runtime.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lambdacntr.protocol.CntrException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Against the examples of RFC 7541, Appendix C. */
class HpackTest {
  private static byte[] hex(String s) {
    return HexFormat.of().parseHex(s.replace(" ", ""));
  }

  @Test
  void decodesHuffmanCodedStrings() {
    byte[] coded = hex("f1e3 c2e5 f23a 6ba0 ab90 f4ff");
    assertThat(new String(Huffman.decode(coded, 0, coded.length), StandardCharsets.US_ASCII))
        .isEqualTo("www.example.com");
    byte[] noCache = hex("a8eb 1064 9cbf");
    assertThat(new String(Huffman.decode(noCache, 0, noCache.length), StandardCharsets.US_ASCII))
        .isEqualTo("no-cache");
  }

  @Test
  void rejectsBadPadding() {
    assertThatThrownBy(() -> Huffman.decode(hex("f1e3 c2e5 f23a 6ba0 ab90 f400"), 0, 12))
        .isInstanceOf(CntrException.class);
  }

  @Test
  void decodesRequestsWithTheDynamicTableAcrossBlocks() {
    Hpack hpack = new Hpack();
    // C.4.1 and C.4.2: requests with Huffman coding, the second reusing the first's entry
    assertThat(hpack.decode(hex("8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff")))
        .containsExactly(
            new Hpack.Field(":method", "GET"),
            new Hpack.Field(":scheme", "http"),
            new Hpack.Field(":path", "/"),
            new Hpack.Field(":authority", "www.example.com"));
    assertThat(hpack.decode(hex("8286 84be 5886 a8eb 1064 9cbf")))
        .containsExactly(
            new Hpack.Field(":method", "GET"),
            new Hpack.Field(":scheme", "http"),
            new Hpack.Field(":path", "/"),
            new Hpack.Field(":authority", "www.example.com"),
            new Hpack.Field("cache-control", "no-cache"));
  }

  @Test
  void whatItEncodesItDecodes() {
    byte[] block =
        Hpack.encode(List.of(Map.entry(":path", "/a.B/C"), Map.entry("x-long", "v".repeat(300))));
    assertThat(new Hpack().decode(block))
        .containsExactly(
            new Hpack.Field(":path", "/a.B/C"), new Hpack.Field("x-long", "v".repeat(300)));
  }

  @Test
  void integersUseTheirPrefixAndContinuationBytes() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Hpack.writeInteger(out, 0, 5, 1337);
    assertThat(out.toByteArray()).isEqualTo(hex("1f9a0a"));
    assertThat(Hpack.readInteger(out.toByteArray(), new int[] {0}, 5)).isEqualTo(1337);
  }
}
