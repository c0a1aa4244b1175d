package dev.lambdacntr.nodeagent;

import dev.lambdacntr.protocol.Json;
import java.util.Arrays;
import java.util.Map;

/**
 * A message from the client in {@code v5.channel.k8s.io}: the first byte is the channel (0 stdin, 4
 * the terminal's new size as {@code {"Width":W,"Height":H}}), and v5's {@code [255, CHANNEL]} says
 * that the channel's input ended. What the session does not read (input on an output channel, a
 * malformed size) is {@link Ignored}, named for the log.
 */
sealed interface ClientMessage {
  byte STDIN = 0;
  byte STDOUT = 1;
  byte STDERR = 2;
  byte STATUS = 3;
  byte RESIZE = 4;
  byte CLOSE = (byte) 255;

  /** Bytes for the session's input. */
  record Input(byte[] data) implements ClientMessage {}

  /** The session's input ended (its end of file). */
  record InputEnd() implements ClientMessage {}

  /** The client's terminal has a new size. */
  record Resize(int width, int height) implements ClientMessage {}

  /** Nothing for the session. */
  record Ignored(String why) implements ClientMessage {}

  static ClientMessage decode(byte[] message) {
    if (message.length == 0) {
      return new Ignored("an empty message");
    }
    byte channel = message[0];
    return switch (channel) {
      case STDIN -> new Input(Arrays.copyOfRange(message, 1, message.length));
      case RESIZE ->
          resize(
              new String(message, 1, message.length - 1, java.nio.charset.StandardCharsets.UTF_8));
      case CLOSE ->
          message.length == 2 && message[1] == STDIN
              ? new InputEnd()
              : new Ignored("a close message for a channel other than stdin");
      default -> new Ignored("a message on channel " + (channel & 0xff));
    };
  }

  private static ClientMessage resize(String json) {
    try {
      Map<String, Object> size = Json.asMap(Json.parse(json));
      if (size.get("Width") instanceof Long width
          && size.get("Height") instanceof Long height
          && width > 0
          && height > 0
          && width <= 0xffff
          && height <= 0xffff) {
        return new Resize(width.intValue(), height.intValue());
      }
    } catch (IllegalArgumentException | ClassCastException e) {
      return new Ignored("a resize message that is not JSON: " + e.getMessage());
    }
    return new Ignored("a resize message without a valid Width and Height: " + json);
  }

  /** An output message: the channel's byte, then {@code data}. */
  static byte[] encode(byte channel, byte[] data, int length) {
    byte[] message = new byte[length + 1];
    message[0] = channel;
    System.arraycopy(data, 0, message, 1, length);
    return message;
  }
}
