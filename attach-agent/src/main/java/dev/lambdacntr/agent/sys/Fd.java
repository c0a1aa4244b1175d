package dev.lambdacntr.agent.sys;

import dev.lambdacntr.sys.Libc;

/**
 * An open file descriptor. Closing is idempotent in effect for the agent: each {@code Fd} is closed
 * once by its owner's try-with-resources.
 *
 * @param value the descriptor number
 */
public record Fd(int value) implements AutoCloseable {
  @Override
  public void close() {
    Libc.close(value);
  }
}
