package dev.lambdacntr.agent.sys;

/**
 * An open file descriptor. Closing is idempotent in effect for the agent: each {@code Fd} is closed
 * once by its owner's try-with-resources.
 *
 * @param value the descriptor number
 */
public record Fd(int value) implements AutoCloseable {
  @Override
  public void close() {
    LibC.close(value);
  }
}
