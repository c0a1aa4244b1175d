package dev.lambdacntr.agent.postmortem;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A protobuf message read field by field (protobuf-java's wire format, without generated classes):
 * a post-mortem session reads a handful of fields from two replies, and the runtime's full API
 * definitions would bring hundreds of generated classes for them.
 */
final class WireMessage {
  private final Map<Integer, List<Object>> fields = new LinkedHashMap<>();

  private WireMessage() {}

  static WireMessage parse(byte[] bytes) throws IOException {
    WireMessage message = new WireMessage();
    CodedInputStream in = CodedInputStream.newInstance(bytes);
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      int number = WireFormat.getTagFieldNumber(tag);
      Object value =
          switch (WireFormat.getTagWireType(tag)) {
            case WireFormat.WIRETYPE_VARINT -> in.readInt64();
            case WireFormat.WIRETYPE_LENGTH_DELIMITED -> in.readByteArray();
            case WireFormat.WIRETYPE_FIXED64 -> in.readFixed64();
            case WireFormat.WIRETYPE_FIXED32 -> (long) in.readFixed32();
            default -> throw new IOException("unexpected wire type in field " + number);
          };
      message.fields.computeIfAbsent(number, n -> new ArrayList<>()).add(value);
    }
    return message;
  }

  /** A string field; empty when absent. */
  String string(int number) {
    List<Object> values = fields.getOrDefault(number, List.of());
    return values.isEmpty() ? "" : utf8(values.getLast());
  }

  /** A repeated string field. */
  List<String> strings(int number) {
    return fields.getOrDefault(number, List.of()).stream().map(WireMessage::utf8).toList();
  }

  /** A varint field; 0 when absent. */
  long varint(int number) {
    List<Object> values = fields.getOrDefault(number, List.of());
    return values.isEmpty() || !(values.getLast() instanceof Long value) ? 0 : value;
  }

  /** A message field; an empty message when absent. */
  WireMessage message(int number) throws IOException {
    List<Object> values = fields.getOrDefault(number, List.of());
    return values.isEmpty() ? new WireMessage() : parse(bytes(values.getLast()));
  }

  /** A repeated message field. */
  List<WireMessage> messages(int number) throws IOException {
    List<WireMessage> messages = new ArrayList<>();
    for (Object value : fields.getOrDefault(number, List.of())) {
      messages.add(parse(bytes(value)));
    }
    return messages;
  }

  /** A {@code map<string, string>} field. */
  Map<String, String> stringMap(int number) throws IOException {
    Map<String, String> map = new LinkedHashMap<>();
    for (WireMessage entry : messages(number)) {
      map.put(entry.string(1), entry.string(2));
    }
    return map;
  }

  private static byte[] bytes(Object value) throws IOException {
    if (value instanceof byte[] bytes) {
      return bytes;
    }
    throw new IOException("a field expected to be length-delimited is not");
  }

  private static String utf8(Object value) {
    return value instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : "";
  }
}
