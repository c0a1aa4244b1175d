package dev.lambdacntr.agent.session;

import dev.lambdacntr.sys.Errno;
import dev.lambdacntr.sys.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.function.IntConsumer;

/**
 * What a resident agent gives a session in place of its own standard streams: the descriptors the
 * session helper gets as 0, 1 and 2 (pipes, or a terminal the resident agent relays), and whom to
 * tell the helper's PID once it runs (to pass window sizes on). A launched agent has none: its
 * helper inherits the agent's own streams.
 *
 * @param stdin the helper's standard input (the session's framed input)
 * @param stdout the helper's standard output
 * @param stderr the helper's standard error (its failure messages)
 * @param started called with the helper's PID right after it was started, before it is waited for
 */
public record SessionStdio(int stdin, int stdout, int stderr, IntConsumer started) {

  /**
   * Writes {@code line} and a newline to the session's stderr, where the client reads it as it
   * reads the helper's messages. Best effort: a session whose client is gone loses the line.
   */
  public void warn(String line) {
    byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment buf = arena.allocate(bytes.length);
      MemorySegment.copy(bytes, 0, buf, ValueLayout.JAVA_BYTE, 0, bytes.length);
      long done = 0;
      while (done < bytes.length) {
        long n = Libc.write(stderr, buf.asSlice(done), bytes.length - done);
        if (n == -Errno.EINTR) {
          continue;
        }
        if (n <= 0) {
          return;
        }
        done += n;
      }
    }
  }
}
