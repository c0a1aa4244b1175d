package dev.lambdacntr.cli.copy;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The session's stdin as the packer writes it: a failed write means the session stopped reading (it
 * ended: its status and stderr say why), told apart from a local file that cannot be read.
 */
final class SessionInput extends FilterOutputStream {

  /** The session no longer reads its input. */
  static final class Gone extends IOException {
    private static final long serialVersionUID = 1L;

    Gone(IOException cause) {
      super("the session stopped reading its input", cause);
    }
  }

  SessionInput(OutputStream out) {
    super(out);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    try {
      out.write(b, off, len);
    } catch (IOException e) {
      throw new Gone(e);
    }
  }

  @Override
  public void write(int b) throws IOException {
    try {
      out.write(b);
    } catch (IOException e) {
      throw new Gone(e);
    }
  }

  @Override
  public void flush() throws IOException {
    try {
      out.flush();
    } catch (IOException e) {
      throw new Gone(e);
    }
  }

  @Override
  public void close() throws IOException {
    try {
      out.close();
    } catch (IOException e) {
      throw new Gone(e);
    }
  }
}
