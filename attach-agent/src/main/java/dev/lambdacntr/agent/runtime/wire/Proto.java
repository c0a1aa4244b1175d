package dev.lambdacntr.agent.runtime.wire;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Protocol Buffers encoding for the handful of messages the agent exchanges with runtimes: a writer
 * for requests and a reader that picks fields out of replies.
 */
public final class Proto {
  private static final int VARINT = 0;
  private static final int FIXED64 = 1;
  private static final int LENGTH_DELIMITED = 2;
  private static final int FIXED32 = 5;

  private Proto() {}

  /** Builds a message field by field. */
  public static final class Writer {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public Writer string(int field, String value) {
      return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    public Writer bytes(int field, byte[] value) {
      tag(field, LENGTH_DELIMITED);
      varint(value.length);
      out.write(value, 0, value.length);
      return this;
    }

    public Writer message(int field, Writer message) {
      return bytes(field, message.toByteArray());
    }

    public Writer uint(int field, long value) {
      tag(field, VARINT);
      varint(value);
      return this;
    }

    public Writer bool(int field, boolean value) {
      return uint(field, value ? 1 : 0);
    }

    /** A {@code map<string,string>} entry. */
    public Writer mapEntry(int field, String key, String value) {
      return message(field, new Writer().string(1, key).string(2, value));
    }

    public byte[] toByteArray() {
      return out.toByteArray();
    }

    private void tag(int field, int wireType) {
      varint(((long) field << 3) | wireType);
    }

    private void varint(long value) {
      while ((value & ~0x7fL) != 0) {
        out.write((int) ((value & 0x7f) | 0x80));
        value >>>= 7;
      }
      out.write((int) value);
    }
  }

  /**
   * A decoded field: its number, and either a varint value or bytes.
   *
   * @param number the field number
   * @param varint the value of a varint field
   * @param bytes the content of a length-delimited field, else empty
   */
  public record Field(int number, long varint, byte[] bytes) {
    public String string() {
      return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Field f
          && f.number == number
          && f.varint == varint
          && Arrays.equals(f.bytes, bytes);
    }

    @Override
    public int hashCode() {
      return 31 * (31 * number + Long.hashCode(varint)) + Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
      return "Field[" + number + "=" + (bytes.length > 0 ? string() : Long.toString(varint)) + "]";
    }
  }

  /** Every field of a message in order; fixed-width fields are skipped. */
  public static List<Field> fields(byte[] message) {
    List<Field> fields = new ArrayList<>();
    int[] pos = {0};
    while (pos[0] < message.length) {
      long tag = readVarint(message, pos);
      int number = (int) (tag >>> 3);
      switch ((int) (tag & 7)) {
        case VARINT -> fields.add(new Field(number, readVarint(message, pos), new byte[0]));
        case LENGTH_DELIMITED -> {
          long length = readVarint(message, pos);
          if (length < 0 || pos[0] + length > message.length) {
            throw Wire.error("protobuf: field " + number + " longer than its message");
          }
          byte[] bytes = Arrays.copyOfRange(message, pos[0], pos[0] + (int) length);
          pos[0] += (int) length;
          fields.add(new Field(number, 0, bytes));
        }
        case FIXED64 -> pos[0] += 8;
        case FIXED32 -> pos[0] += 4;
        default -> throw Wire.error("protobuf: unsupported wire type " + (tag & 7));
      }
    }
    if (pos[0] > message.length) {
      throw Wire.error("protobuf: truncated message");
    }
    return fields;
  }

  /** The last occurrence of a field (protobuf's rule for singular fields). */
  public static Optional<Field> field(byte[] message, int number) {
    Field found = null;
    for (Field field : fields(message)) {
      if (field.number() == number) {
        found = field;
      }
    }
    return Optional.ofNullable(found);
  }

  private static long readVarint(byte[] data, int[] pos) {
    long value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos[0] >= data.length) {
        throw Wire.error("protobuf: truncated varint");
      }
      int b = data[pos[0]++] & 0xff;
      value |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return value;
      }
    }
    throw Wire.error("protobuf: varint too long");
  }
}
