package dev.lambdacntr.agent.runtime.wire;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * HPACK (RFC 7541) for one HTTP/2 connection: a decoder with its dynamic table, and an encoder that
 * only writes literals without indexing (so it needs no state).
 */
final class Hpack {
  /**
   * A header field.
   *
   * @param name the lower-case name
   * @param value the value
   */
  record Field(String name, String value) {}

  private static final Field[] STATIC_TABLE = {
    null,
    new Field(":authority", ""),
    new Field(":method", "GET"),
    new Field(":method", "POST"),
    new Field(":path", "/"),
    new Field(":path", "/index.html"),
    new Field(":scheme", "http"),
    new Field(":scheme", "https"),
    new Field(":status", "200"),
    new Field(":status", "204"),
    new Field(":status", "206"),
    new Field(":status", "304"),
    new Field(":status", "400"),
    new Field(":status", "404"),
    new Field(":status", "500"),
    new Field("accept-charset", ""),
    new Field("accept-encoding", "gzip, deflate"),
    new Field("accept-language", ""),
    new Field("accept-ranges", ""),
    new Field("accept", ""),
    new Field("access-control-allow-origin", ""),
    new Field("age", ""),
    new Field("allow", ""),
    new Field("authorization", ""),
    new Field("cache-control", ""),
    new Field("content-disposition", ""),
    new Field("content-encoding", ""),
    new Field("content-language", ""),
    new Field("content-length", ""),
    new Field("content-location", ""),
    new Field("content-range", ""),
    new Field("content-type", ""),
    new Field("cookie", ""),
    new Field("date", ""),
    new Field("etag", ""),
    new Field("expect", ""),
    new Field("expires", ""),
    new Field("from", ""),
    new Field("host", ""),
    new Field("if-match", ""),
    new Field("if-modified-since", ""),
    new Field("if-none-match", ""),
    new Field("if-range", ""),
    new Field("if-unmodified-since", ""),
    new Field("last-modified", ""),
    new Field("link", ""),
    new Field("location", ""),
    new Field("max-forwards", ""),
    new Field("proxy-authenticate", ""),
    new Field("proxy-authorization", ""),
    new Field("range", ""),
    new Field("referer", ""),
    new Field("refresh", ""),
    new Field("retry-after", ""),
    new Field("server", ""),
    new Field("set-cookie", ""),
    new Field("strict-transport-security", ""),
    new Field("transfer-encoding", ""),
    new Field("user-agent", ""),
    new Field("vary", ""),
    new Field("via", ""),
    new Field("www-authenticate", ""),
  };

  private static final int DEFAULT_TABLE_SIZE = 4096;

  private final Deque<Field> dynamicTable = new ArrayDeque<>();
  private int dynamicSize;
  private int maxDynamicSize = DEFAULT_TABLE_SIZE;

  /** Encodes fields as literals without indexing and without Huffman coding. */
  static byte[] encode(List<Map.Entry<String, String>> fields) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Map.Entry<String, String> field : fields) {
      out.write(0x00);
      writeString(out, field.getKey());
      writeString(out, field.getValue());
    }
    return out.toByteArray();
  }

  private static void writeString(ByteArrayOutputStream out, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    writeInteger(out, 0x00, 7, bytes.length);
    out.write(bytes, 0, bytes.length);
  }

  /** Writes an integer with an N-bit prefix; {@code flags} are the bits above the prefix. */
  static void writeInteger(ByteArrayOutputStream out, int flags, int prefixBits, int value) {
    int max = (1 << prefixBits) - 1;
    if (value < max) {
      out.write(flags | value);
      return;
    }
    out.write(flags | max);
    value -= max;
    while (value >= 0x80) {
      out.write((value & 0x7f) | 0x80);
      value >>>= 7;
    }
    out.write(value);
  }

  /** Decodes one complete header block, updating the dynamic table. */
  List<Field> decode(byte[] block) {
    List<Field> fields = new ArrayList<>();
    int[] pos = {0};
    while (pos[0] < block.length) {
      int b = block[pos[0]] & 0xff;
      if ((b & 0x80) != 0) {
        fields.add(lookup(readInteger(block, pos, 7)));
      } else if ((b & 0xc0) == 0x40) {
        Field field = readLiteral(block, pos, 6);
        fields.add(field);
        add(field);
      } else if ((b & 0xe0) == 0x20) {
        int size = readInteger(block, pos, 5);
        if (size > DEFAULT_TABLE_SIZE) {
          throw Wire.error(
              "HPACK: table size " + size + " above the advertised " + DEFAULT_TABLE_SIZE);
        }
        maxDynamicSize = size;
        evict();
      } else {
        fields.add(readLiteral(block, pos, 4));
      }
    }
    return fields;
  }

  private Field readLiteral(byte[] block, int[] pos, int prefixBits) {
    int index = readInteger(block, pos, prefixBits);
    String name = index == 0 ? readString(block, pos) : lookup(index).name();
    return new Field(name, readString(block, pos));
  }

  private Field lookup(int index) {
    if (index <= 0) {
      throw Wire.error("HPACK: index 0");
    }
    if (index < STATIC_TABLE.length) {
      return STATIC_TABLE[index];
    }
    int dynamicIndex = index - STATIC_TABLE.length;
    if (dynamicIndex >= dynamicTable.size()) {
      throw Wire.error("HPACK: index " + index + " beyond the table");
    }
    int i = 0;
    for (Field field : dynamicTable) {
      if (i++ == dynamicIndex) {
        return field;
      }
    }
    throw new AssertionError("unreachable");
  }

  private void add(Field field) {
    dynamicTable.addFirst(field);
    dynamicSize += entrySize(field);
    evict();
  }

  private void evict() {
    while (dynamicSize > maxDynamicSize && !dynamicTable.isEmpty()) {
      dynamicSize -= entrySize(dynamicTable.removeLast());
    }
  }

  private static int entrySize(Field field) {
    return 32
        + field.name().getBytes(StandardCharsets.UTF_8).length
        + field.value().getBytes(StandardCharsets.UTF_8).length;
  }

  static int readInteger(byte[] block, int[] pos, int prefixBits) {
    int max = (1 << prefixBits) - 1;
    int value = block[pos[0]++] & max;
    if (value < max) {
      return value;
    }
    int shift = 0;
    int b;
    do {
      if (pos[0] >= block.length || shift > 28) {
        throw Wire.error("HPACK: truncated integer");
      }
      b = block[pos[0]++] & 0xff;
      value += (b & 0x7f) << shift;
      shift += 7;
    } while ((b & 0x80) != 0);
    return value;
  }

  private static String readString(byte[] block, int[] pos) {
    if (pos[0] >= block.length) {
      throw Wire.error("HPACK: truncated string");
    }
    boolean huffman = (block[pos[0]] & 0x80) != 0;
    int length = readInteger(block, pos, 7);
    if (length < 0 || pos[0] + length > block.length) {
      throw Wire.error("HPACK: string longer than the block");
    }
    byte[] bytes =
        huffman
            ? Huffman.decode(block, pos[0], length)
            : java.util.Arrays.copyOfRange(block, pos[0], pos[0] + length);
    pos[0] += length;
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
