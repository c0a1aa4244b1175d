package dev.lambdacntr.cli.fanout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * An output stream that writes each complete line to a shared sink as {@code PREFIX: LINE}, a whole
 * line at a time (so lines of parallel sessions never interleave mid-line); a last line without a
 * newline is written, with one added, on {@link #close}.
 */
public final class PrefixedLines extends OutputStream {

  private final byte[] prefix;
  private final OutputStream sink;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream();

  /** Lines of {@code label} go to {@code sink}; writers to one sink synchronize on it. */
  public PrefixedLines(String label, OutputStream sink) {
    this.prefix = (label + ": ").getBytes(StandardCharsets.UTF_8);
    this.sink = sink;
  }

  @Override
  public synchronized void write(int b) throws IOException {
    line.write(b);
    if (b == '\n') {
      emit();
    }
  }

  @Override
  public synchronized void write(byte[] bytes, int offset, int length) throws IOException {
    int start = offset;
    int end = offset + length;
    for (int i = offset; i < end; i++) {
      if (bytes[i] == '\n') {
        line.write(bytes, start, i + 1 - start);
        emit();
        start = i + 1;
      }
    }
    line.write(bytes, start, end - start);
  }

  private void emit() throws IOException {
    synchronized (sink) {
      sink.write(prefix);
      line.writeTo(sink);
      sink.flush();
    }
    line.reset();
  }

  @Override
  public synchronized void flush() {
    // only whole lines are written
  }

  @Override
  public synchronized void close() throws IOException {
    if (line.size() > 0) {
      line.write('\n');
      emit();
    }
  }
}
