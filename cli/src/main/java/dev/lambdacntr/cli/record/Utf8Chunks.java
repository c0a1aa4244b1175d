package dev.lambdacntr.cli.record;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Bytes of a stream, arriving in chunks, as text: a character split between two chunks is kept
 * until its end arrives, invalid bytes become U+FFFD. Not thread-safe.
 */
final class Utf8Chunks {

  private final CharsetDecoder decoder =
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPLACE)
          .onUnmappableCharacter(CodingErrorAction.REPLACE);
  private byte[] pending = new byte[0];

  /** The text of {@code length} more bytes; an incomplete last character waits for the next. */
  String decode(byte[] bytes, int offset, int length) {
    ByteBuffer in;
    if (pending.length == 0) {
      in = ByteBuffer.wrap(bytes, offset, length);
    } else {
      in = ByteBuffer.allocate(pending.length + length);
      in.put(pending).put(bytes, offset, length).flip();
    }
    CharBuffer out = CharBuffer.allocate(in.remaining() + 1);
    decoder.decode(in, out, false);
    pending = new byte[in.remaining()];
    in.get(pending);
    return out.flip().toString();
  }
}
