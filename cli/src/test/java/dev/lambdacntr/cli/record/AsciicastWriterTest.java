package dev.lambdacntr.cli.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The asciicast v2 file as asciinema reads it, written line by line and read back. */
class AsciicastWriterTest {

  static final AsciicastHeader HEADER =
      new AsciicastHeader(
          80, 24, 1_765_000_000L, Map.of("TERM", "xterm-256color", "SHELL", "/bin/bash"));

  @TempDir Path dir;
  final AtomicLong clock = new AtomicLong(5_000_000_000L);
  final List<String> warnings = new ArrayList<>();

  AsciicastWriter writer(Path file) {
    return AsciicastWriter.create(file, HEADER, clock::get, warnings::add);
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void theHeaderAndEachEventAreOneJsonLineTimedFromTheFirstEvent() throws IOException {
    Path file = dir.resolve("session.cast");
    try (AsciicastWriter w = writer(file)) {
      w.output(utf8("$ "), 0, 2);
      clock.addAndGet(1_500_000_000L);
      w.input(utf8("ls\r"), 0, 3);
      clock.addAndGet(250_000L);
      w.output(utf8("a \"b\"\r\n"), 0, 7);
      clock.addAndGet(1_000L);
      w.resize(132, 43);
    }
    assertThat(Files.readAllLines(file))
        .containsExactly(
            "{\"version\":2,\"width\":80,\"height\":24,\"timestamp\":1765000000,"
                + "\"env\":{\"SHELL\":\"/bin/bash\",\"TERM\":\"xterm-256color\"}}",
            "[0.000000,\"o\",\"$ \"]",
            "[1.500000,\"i\",\"ls\\r\"]",
            "[1.500250,\"o\",\"a \\\"b\\\"\\r\\n\"]",
            "[1.500251,\"r\",\"132x43\"]");
    assertThat(warnings).isEmpty();
  }

  @Test
  void everyEventIsOnDiskAsSoonAsItIsWritten() throws IOException {
    Path file = dir.resolve("killed.cast");
    AsciicastWriter w = writer(file);
    w.output(utf8("before the kill"), 0, 15);
    // not closed, as when the CLI is killed: the prefix is there and plays
    assertThat(Files.readAllLines(file)).hasSize(2);
    try (AsciicastReader r = AsciicastReader.open(file)) {
      assertThat(r.header()).isEqualTo(HEADER);
      assertThat(r.next()).hasValue(new AsciicastEvent(0, "o", "before the kill"));
      assertThat(r.next()).isEmpty();
    }
    w.close();
  }

  @Test
  void aCharacterSplitBetweenTwoChunksIsWrittenWhole() throws IOException {
    Path file = dir.resolve("utf8.cast");
    byte[] euro = utf8("€uro");
    try (AsciicastWriter w = writer(file)) {
      w.output(euro, 0, 2); // the first two of the euro sign's three bytes
      w.output(euro, 2, euro.length - 2);
      w.output(new byte[] {(byte) 0xff}, 0, 1);
    }
    try (AsciicastReader r = AsciicastReader.open(file)) {
      assertThat(r.next().orElseThrow().data()).isEqualTo("€uro");
      assertThat(r.next().orElseThrow().data()).isEqualTo("\ufffd");
    }
  }

  @Test
  void aResizeToTheRecordedSizeIsNoEvent() throws IOException {
    Path file = dir.resolve("same.cast");
    try (AsciicastWriter w = writer(file)) {
      w.resize(80, 24);
      w.resize(100, 30);
      w.resize(100, 30);
    }
    assertThat(Files.readAllLines(file)).hasSize(2).last().isEqualTo("[0.000000,\"r\",\"100x30\"]");
  }

  @Test
  void aFileThatCannotBeCreatedIsAUsageErrorNamingIt() {
    Path file = dir.resolve("no-such-dir").resolve("x.cast");
    assertThatThrownBy(() -> writer(file))
        .isInstanceOfSatisfying(
            CntrException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE))
        .hasMessageStartingWith("cannot write the recording " + file + ": ");
  }
}
