package dev.lambdacntr.cli.record;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * An asciicast v2 file read line by line, as it is played: the header first, then the events. Every
 * failure is {@link ExitCode#USAGE} naming the file and, for its content, the line.
 */
public final class AsciicastReader implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private final BufferedReader in;
  private final AsciicastHeader header;
  private int line;

  private AsciicastReader(Path file, BufferedReader in) {
    this.file = file;
    this.in = in;
    this.header = readHeader();
  }

  /** Opens {@code file} and reads its header. */
  public static AsciicastReader open(Path file) {
    BufferedReader in;
    try {
      in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CntrException(
          ExitCode.USAGE, "cannot read the recording " + file + ": " + describe(e), e);
    }
    try {
      return new AsciicastReader(file, in);
    } catch (CntrException e) {
      closeQuietly(in);
      throw e;
    }
  }

  public AsciicastHeader header() {
    return header;
  }

  /** The next event; empty at the end of the file. Blank lines are skipped. */
  public Optional<AsciicastEvent> next() {
    while (true) {
      Optional<String> text = nextLine();
      if (text.isEmpty()) {
        return Optional.empty();
      }
      if (!text.get().isBlank()) {
        return Optional.of(event(parse(text.get())));
      }
    }
  }

  private AsciicastHeader readHeader() {
    String text =
        nextLine().orElseThrow(() -> invalid("empty file, expected an asciicast v2 header"));
    JsonNode node = parse(text);
    if (!node.isObject()) {
      throw invalid("expected the asciicast header, a JSON object, not " + kind(node));
    }
    JsonNode version = node.path("version");
    if (!version.isIntegralNumber() || version.intValue() != AsciicastHeader.VERSION) {
      throw invalid("not an asciicast v2 file: \"version\" is " + shown(version) + ", expected 2");
    }
    int width = dimension(node, "width");
    int height = dimension(node, "height");
    JsonNode timestamp = node.path("timestamp");
    Map<String, String> env = new LinkedHashMap<>();
    JsonNode envNode = node.path("env");
    if (envNode.isObject()) {
      envNode.properties().forEach(e -> env.put(e.getKey(), e.getValue().asString("")));
    }
    return new AsciicastHeader(
        width, height, timestamp.canConvertToLong() ? timestamp.longValue() : 0, env);
  }

  private int dimension(JsonNode header, String name) {
    JsonNode value = header.path(name);
    if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < 1) {
      throw invalid("\"" + name + "\" is " + shown(value) + ", expected a positive whole number");
    }
    return value.intValue();
  }

  private AsciicastEvent event(JsonNode node) {
    if (!node.isArray() || node.size() != 3) {
      throw invalid("expected an event [time, code, data], not " + kind(node));
    }
    JsonNode time = node.get(0);
    if (!time.isNumber() || time.doubleValue() < 0) {
      throw invalid("the event's time is " + shown(time) + ", expected a number of seconds");
    }
    if (!node.get(1).isString() || !node.get(2).isString()) {
      throw invalid("the event's code and data must be strings");
    }
    return new AsciicastEvent(
        time.doubleValue(), node.get(1).stringValue(), node.get(2).stringValue());
  }

  private JsonNode parse(String text) {
    try {
      return JSON.readTree(text);
    } catch (JacksonException e) {
      throw invalid("not JSON: " + e.getOriginalMessage());
    }
  }

  private Optional<String> nextLine() {
    try {
      String text = in.readLine();
      if (text != null) {
        line++;
      }
      return Optional.ofNullable(text);
    } catch (IOException e) {
      throw new CntrException(
          ExitCode.USAGE,
          "cannot read the recording " + file + " after line " + line + ": " + describe(e),
          e);
    }
  }

  private CntrException invalid(String what) {
    return new CntrException(
        ExitCode.USAGE, "invalid recording " + file + ", line " + Math.max(line, 1) + ": " + what);
  }

  private static String shown(JsonNode node) {
    return node.isMissingNode() ? "missing" : node.toString();
  }

  private static String kind(JsonNode node) {
    return node.isArray()
        ? "an array of " + node.size()
        : node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
  }

  @Override
  public void close() {
    closeQuietly(in);
  }

  private static void closeQuietly(BufferedReader in) {
    try {
      in.close();
    } catch (IOException e) {
      // read-only: nothing is lost
    }
  }

  private static String describe(IOException e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return e instanceof java.nio.file.NoSuchFileException ? "no such file" : message;
  }
}
