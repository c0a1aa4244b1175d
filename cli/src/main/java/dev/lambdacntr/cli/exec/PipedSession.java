package dev.lambdacntr.cli.exec;

import java.io.IOException;
import java.io.InputStream;

/**
 * A session without a local terminal: stdin is pumped to the remote process byte for byte and its
 * end is passed on as EOF, so {@code tar c . | lambda-cntr execute POD -- tar x} works.
 */
public final class PipedSession {

  // one frame per read, below the 64 KiB frame limit of Vert.x servers (the gateway, the node
  // agent): a 64 KiB read made a 65,541-byte frame that such a server refuses
  private static final int BUFFER = 32 * 1024;

  private PipedSession() {}

  /** Pumps {@code stdin} into the stream until EOF or the session's end, then waits for it. */
  public static ExecOutcome run(ExecStream stream, InputStream stdin) {
    Thread pump =
        Thread.ofPlatform().daemon().name("lambda-cntr-stdin").start(() -> pump(stream, stdin));
    try {
      return stream.await();
    } finally {
      pump.interrupt();
    }
  }

  static void pump(ExecStream stream, InputStream stdin) {
    byte[] buffer = new byte[BUFFER];
    try {
      int n;
      while ((n = stdin.read(buffer)) >= 0 && !stream.outcome().isDone()) {
        if (n > 0) {
          stream.writeStdin(buffer, 0, n);
        }
      }
      if (!stream.outcome().isDone()) {
        stream.closeStdin();
      }
    } catch (IOException e) {
      // The session ended while input was still coming: its outcome says why.
    }
  }
}
