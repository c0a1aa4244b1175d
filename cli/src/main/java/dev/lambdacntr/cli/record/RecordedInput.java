package dev.lambdacntr.cli.record;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** The user's input, read on and recorded as it is read ({@code --record-input}). */
public final class RecordedInput extends FilterInputStream {

  private final AsciicastWriter recording;

  public RecordedInput(InputStream in, AsciicastWriter recording) {
    super(in);
    this.recording = recording;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] bytes, int offset, int length) throws IOException {
    int n = in.read(bytes, offset, length);
    if (n > 0) {
      recording.input(bytes, offset, n);
    }
    return n;
  }
}
