package dev.lambdacntr.protocol;

/**
 * How the CLI sends a session's input to the agent ({@code lambda-cntr-agent attach
 * --framed-stdin}): frames of a 4-byte big-endian length and that many bytes; a frame of length 0
 * ends the input (the session's program reads end of file). The stream itself stays open for as
 * long as the CLI runs, so that its end, which the runtime passes on however the CLI ended (a
 * SIGKILL included), tells the agent that the client is gone: the one sign of it that a session
 * which reads nothing and prints nothing gets. The native helper decodes them ({@code frames_feed}
 * in {@code lambda-cntr-exec.c}).
 */
public final class StdinFrames {
  /** The length of a frame's header. */
  public static final int HEADER = 4;

  /** The frame that ends the input. */
  private static final byte[] END = new byte[HEADER];

  private StdinFrames() {}

  /** One frame holding {@code length} bytes of {@code data} from {@code offset}. */
  public static byte[] frame(byte[] data, int offset, int length) {
    if (length <= 0) {
      throw new IllegalArgumentException("a data frame holds at least one byte, not " + length);
    }
    byte[] frame = new byte[HEADER + length];
    frame[0] = (byte) (length >>> 24);
    frame[1] = (byte) (length >>> 16);
    frame[2] = (byte) (length >>> 8);
    frame[3] = (byte) length;
    System.arraycopy(data, offset, frame, HEADER, length);
    return frame;
  }

  /** The frame that ends the input. */
  public static byte[] end() {
    return END.clone();
  }
}
