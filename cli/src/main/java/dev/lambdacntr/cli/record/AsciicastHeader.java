package dev.lambdacntr.cli.record;

import java.util.Map;

/**
 * The first line of an asciicast v2 file: the terminal's size when the recording began, when that
 * was (seconds since the epoch), and the variables that say how to render it ({@code TERM}, {@code
 * SHELL}).
 *
 * @param width the terminal's columns
 * @param height the terminal's rows
 * @param timestamp the recording's start, in seconds since the epoch
 * @param env the recorded environment variables
 */
public record AsciicastHeader(int width, int height, long timestamp, Map<String, String> env) {

  /** The format's version, the only one written and read. */
  public static final int VERSION = 2;

  public AsciicastHeader {
    env = Map.copyOf(env);
  }
}
