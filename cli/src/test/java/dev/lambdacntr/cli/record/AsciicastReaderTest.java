package dev.lambdacntr.cli.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading asciicast v2 files, asciinema's included; every refusal names the file and the line. */
class AsciicastReaderTest {

  @TempDir Path dir;

  Path cast(String... lines) throws IOException {
    Path file = dir.resolve("s.cast");
    Files.writeString(file, String.join("\n", lines) + "\n");
    return file;
  }

  @Test
  void anAsciinemaFileIsReadHeaderAndEvents() throws IOException {
    Path file =
        cast(
            "{\"version\": 2, \"width\": 120, \"height\": 30, \"timestamp\": 1700000000,"
                + " \"idle_time_limit\": 2.0, \"env\": {\"SHELL\": \"/bin/zsh\", \"TERM\":"
                + " \"screen\"}, \"title\": \"demo\"}",
            "[0.25, \"o\", \"hello\"]",
            "",
            "[1.0, \"m\", \"\"]",
            "[1.5e0, \"o\", \"\\u001b[1mbold\"]");
    try (AsciicastReader r = AsciicastReader.open(file)) {
      assertThat(r.header())
          .isEqualTo(
              new AsciicastHeader(
                  120, 30, 1700000000L, Map.of("SHELL", "/bin/zsh", "TERM", "screen")));
      assertThat(r.next()).hasValue(new AsciicastEvent(0.25, "o", "hello"));
      assertThat(r.next()).hasValue(new AsciicastEvent(1.0, "m", ""));
      assertThat(r.next()).hasValue(new AsciicastEvent(1.5, "o", "\u001b[1mbold"));
      assertThat(r.next()).isEmpty();
    }
  }

  static void assertInvalid(Path file, String message) {
    assertThatThrownBy(
            () -> {
              try (AsciicastReader r = AsciicastReader.open(file)) {
                while (r.next().isPresent()) {
                  // read to the end
                }
              }
            })
        .isInstanceOfSatisfying(
            CntrException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE))
        .hasMessage(message);
  }

  @Test
  void aMissingFileIsNamed() {
    Path file = dir.resolve("missing.cast");
    assertInvalid(file, "cannot read the recording " + file + ": no such file");
  }

  @Test
  void anEmptyFileIsRefused() throws IOException {
    Path file = dir.resolve("empty.cast");
    Files.writeString(file, "");
    assertInvalid(
        file,
        "invalid recording " + file + ", line 1: empty file, expected an asciicast v2 header");
  }

  @Test
  void anotherVersionIsRefused() throws IOException {
    Path file = cast("{\"version\": 1, \"width\": 80, \"height\": 24}");
    assertInvalid(
        file,
        "invalid recording "
            + file
            + ", line 1: not an asciicast v2 file: \"version\" is 1,"
            + " expected 2");
  }

  @Test
  void aHeaderWithoutASizeIsRefused() throws IOException {
    Path file = cast("{\"version\": 2, \"height\": 24}");
    assertInvalid(
        file,
        "invalid recording "
            + file
            + ", line 1: \"width\" is missing, expected a positive whole number");
  }

  @Test
  void aBrokenEventNamesItsLine() throws IOException {
    Path file =
        cast(
            "{\"version\": 2, \"width\": 80, \"height\": 24}",
            "[0.1, \"o\", \"fine\"]",
            "[0.2, \"o\", \"cut off");
    assertThatThrownBy(
            () -> {
              try (AsciicastReader r = AsciicastReader.open(file)) {
                assertThat(r.next()).isPresent();
                r.next();
              }
            })
        .isInstanceOf(CntrException.class)
        .hasMessageStartingWith("invalid recording " + file + ", line 3: not JSON: ");
  }

  @Test
  void anEventOfTheWrongShapeNamesItsLine() throws IOException {
    Path file = cast("{\"version\": 2, \"width\": 80, \"height\": 24}", "[\"0.1\", \"o\", \"x\"]");
    assertInvalid(
        file,
        "invalid recording "
            + file
            + ", line 2: the event's time is \"0.1\", expected a number of seconds");
    Path object = cast("{\"version\": 2, \"width\": 80, \"height\": 24}", "{}");
    assertInvalid(
        object,
        "invalid recording "
            + object
            + ", line 2: expected an event [time, code, data], not object");
  }
}
