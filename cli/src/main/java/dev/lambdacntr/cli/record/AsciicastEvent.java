package dev.lambdacntr.cli.record;

/**
 * One event line of an asciicast v2 file: {@code [time, code, data]}.
 *
 * @param seconds the time since the recording's start
 * @param code {@code o} output, {@code i} input, {@code r} resize ({@code data} is {@code WxH}),
 *     {@code m} marker; others are kept as read
 * @param data the text
 */
public record AsciicastEvent(double seconds, String code, String data) {

  public static final String OUTPUT = "o";
  public static final String INPUT = "i";
  public static final String RESIZE = "r";
}
