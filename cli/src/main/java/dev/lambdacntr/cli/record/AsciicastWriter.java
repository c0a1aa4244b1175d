package dev.lambdacntr.cli.record;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import tools.jackson.databind.ObjectMapper;

/**
 * A session written as an asciicast v2 file (the format asciinema plays): the header line, then one
 * line per event, each flushed as it is written, so that a killed CLI leaves a playable prefix.
 * Times count from the first event. A failure to write ends the recording, told once, and never the
 * session. Thread-safe: output, input and resizes come from different threads.
 */
public final class AsciicastWriter implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private final BufferedWriter out;
  private final LongSupplier nanoClock;
  private final Consumer<String> warn;
  private final Utf8Chunks output = new Utf8Chunks();
  private final Utf8Chunks input = new Utf8Chunks();
  private long start = -1;
  private int width;
  private int height;
  private boolean failed;

  private AsciicastWriter(
      Path file,
      BufferedWriter out,
      AsciicastHeader header,
      LongSupplier nanoClock,
      Consumer<String> warn) {
    this.file = file;
    this.out = out;
    this.nanoClock = nanoClock;
    this.warn = warn;
    this.width = header.width();
    this.height = header.height();
  }

  /**
   * Creates (or truncates) {@code file} and writes the header; fails with {@link ExitCode#USAGE}
   * naming the file when it cannot be written.
   *
   * @param nanoClock the time, as {@link System#nanoTime}
   * @param warn told once when writing fails later
   */
  public static AsciicastWriter create(
      Path file, AsciicastHeader header, LongSupplier nanoClock, Consumer<String> warn) {
    try {
      BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
      AsciicastWriter writer = new AsciicastWriter(file, out, header, nanoClock, warn);
      out.write(headerLine(header));
      out.newLine();
      out.flush();
      return writer;
    } catch (IOException e) {
      throw new CntrException(
          ExitCode.USAGE, "cannot write the recording " + file + ": " + describe(e), e);
    }
  }

  static String headerLine(AsciicastHeader header) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("version", AsciicastHeader.VERSION);
    line.put("width", header.width());
    line.put("height", header.height());
    line.put("timestamp", header.timestamp());
    line.put("env", new java.util.TreeMap<>(header.env()));
    return JSON.writeValueAsString(line);
  }

  /** The session's output, as it reaches the terminal. */
  public synchronized void output(byte[] bytes, int offset, int length) {
    if (!failed) {
      event(AsciicastEvent.OUTPUT, output.decode(bytes, offset, length));
    }
  }

  /** What the user typed. */
  public synchronized void input(byte[] bytes, int offset, int length) {
    if (!failed) {
      event(AsciicastEvent.INPUT, input.decode(bytes, offset, length));
    }
  }

  /** The terminal's new size; nothing when it is the size already recorded. */
  public synchronized void resize(int columns, int rows) {
    if (failed || (columns == width && rows == height)) {
      return;
    }
    width = columns;
    height = rows;
    event(AsciicastEvent.RESIZE, columns + "x" + rows);
  }

  private void event(String code, String data) {
    if (data.isEmpty()) {
      return;
    }
    long now = nanoClock.getAsLong();
    if (start < 0) {
      start = now;
    }
    BigDecimal seconds = BigDecimal.valueOf((now - start) / 1000, 6);
    try {
      out.write(JSON.writeValueAsString(List.of(seconds, code, data)));
      out.newLine();
      out.flush();
    } catch (IOException e) {
      failed = true;
      warn.accept("the recording " + file + " stops here: cannot write it: " + describe(e));
    }
  }

  @Override
  public synchronized void close() {
    try {
      out.close();
    } catch (IOException e) {
      if (!failed) {
        warn.accept("cannot finish the recording " + file + ": " + describe(e));
      }
    }
  }

  private static String describe(IOException e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
