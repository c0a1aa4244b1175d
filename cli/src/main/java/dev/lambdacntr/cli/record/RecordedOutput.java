package dev.lambdacntr.cli.record;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/** The session's output, written on and recorded once it is written. */
public final class RecordedOutput extends FilterOutputStream {

  private final AsciicastWriter recording;

  public RecordedOutput(OutputStream out, AsciicastWriter recording) {
    super(out);
    this.recording = recording;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] bytes, int offset, int length) throws IOException {
    out.write(bytes, offset, length);
    recording.output(bytes, offset, length);
  }
}
