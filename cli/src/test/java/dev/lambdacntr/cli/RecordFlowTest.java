package dev.lambdacntr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lambdacntr.cli.record.AsciicastEvent;
import dev.lambdacntr.cli.record.AsciicastReader;
import dev.lambdacntr.cli.testing.CliHarness;
import dev.lambdacntr.cli.testing.CliHarness.Result;
import dev.lambdacntr.cli.testing.MockCluster;
import dev.lambdacntr.protocol.ExitCode;
import dev.lambdacntr.target.Version;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --record} and {@code replay} through the whole CLI, against the mock API server. */
class RecordFlowTest {

  static final String IMAGE = "ghcr.io/lambda-cntr/debug:" + Version.version();

  @TempDir Path dir;
  MockCluster cluster;
  Map<String, String> env;

  @BeforeEach
  void start() throws IOException {
    cluster = new MockCluster();
    cluster.addNode("node-1");
    cluster.addRunningPod("default", "demo-7d9f", "node-1", "app");
    cluster.addReadyAgent("node-1", IMAGE);
    Path kubeconfig = cluster.writeKubeconfig(dir.resolve("kubeconfig"), Optional.empty());
    env = Map.of("KUBECONFIG", kubeconfig.toString(), "HOME", dir.toString(), "TERM", "xterm-test");
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  static List<AsciicastEvent> events(Path file) {
    List<AsciicastEvent> events = new ArrayList<>();
    try (AsciicastReader r = AsciicastReader.open(file)) {
      for (Optional<AsciicastEvent> e = r.next(); e.isPresent(); e = r.next()) {
        events.add(e.get());
      }
    }
    return events;
  }

  @Test
  void aTerminalSessionIsRecordedAndReplayed() throws IOException {
    Path file = dir.resolve("session.cast");
    Result r =
        CliHarness.run(
            env,
            "hello\n".getBytes(StandardCharsets.UTF_8),
            false,
            false,
            "execute",
            "-t",
            "--record",
            file.toString(),
            "--record-input",
            "demo-7d9f",
            "--",
            "cat");
    assertThat(r.exit()).as(r.stderr()).isZero();
    assertThat(r.stdout()).isEqualTo("hello\n");

    try (AsciicastReader reader = AsciicastReader.open(file)) {
      assertThat(reader.header().width()).isEqualTo(80);
      assertThat(reader.header().height()).isEqualTo(24);
      assertThat(reader.header().env()).containsEntry("TERM", "xterm-test");
    }
    List<AsciicastEvent> events = events(file);
    assertThat(events).extracting(AsciicastEvent::code).contains("i", "o");
    assertThat(
            String.join(
                "",
                events.stream()
                    .filter(e -> e.code().equals("o"))
                    .map(AsciicastEvent::data)
                    .toList()))
        .isEqualTo("hello\n");
    assertThat(
            String.join(
                "",
                events.stream()
                    .filter(e -> e.code().equals("i"))
                    .map(AsciicastEvent::data)
                    .toList()))
        .isEqualTo("hello\n");

    Result replayed = CliHarness.run(env, "replay", "--speed", "1000", file.toString());
    assertThat(replayed.exit()).as(replayed.stderr()).isZero();
    assertThat(replayed.stdout()).isEqualTo("hello\n");
  }

  @Test
  void withoutRecordInputTheInputIsNotRecorded() {
    Path file = dir.resolve("output-only.cast");
    Result r =
        CliHarness.run(
            env,
            "secret\n".getBytes(StandardCharsets.UTF_8),
            false,
            false,
            "execute",
            "-t",
            "--record",
            file.toString(),
            "demo-7d9f",
            "--",
            "cat");
    assertThat(r.exit()).as(r.stderr()).isZero();
    assertThat(events(file)).extracting(AsciicastEvent::code).containsOnly("o");
  }

  @Test
  void onlyTerminalSessionsAreRecorded() {
    Path file = dir.resolve("piped.cast");
    Result r =
        CliHarness.run(env, "execute", "--record", file.toString(), "demo-7d9f", "--", "exit", "0");
    assertThat(r.exit()).isEqualTo(ExitCode.USAGE.code());
    assertThat(r.stderr())
        .isEqualTo(
            "lambda-cntr: --record "
                + file
                + ": only a terminal session is recorded (attach on a terminal, or -t)\n");
    assertThat(file).doesNotExist();
    assertThat(cluster.calls()).isEmpty();
  }

  @Test
  void recordInputNeedsRecord() {
    Result r = CliHarness.run(env, "attach", "-t", "--record-input", "demo-7d9f");
    assertThat(r.exit()).isEqualTo(ExitCode.USAGE.code());
    assertThat(r.stderr()).isEqualTo("lambda-cntr: --record-input needs --record FILE\n");
  }

  @Test
  void fanOutIsNotRecorded() {
    Result r =
        CliHarness.run(
            env, "execute", "-l", "app=x", "--record", dir.resolve("x").toString(), "--", "true");
    assertThat(r.exit()).isEqualTo(ExitCode.USAGE.code());
    assertThat(r.stderr()).contains("--record");
  }

  @Test
  void replayOfAnInvalidFileNamesTheFileAndTheLine() throws IOException {
    Path file = dir.resolve("bad.cast");
    Files.writeString(file, "{\"version\": 2, \"width\": 80, \"height\": 24}\n[0.1, \"o\"]\n");
    Result r = CliHarness.run(env, "replay", file.toString());
    assertThat(r.exit()).isEqualTo(ExitCode.USAGE.code());
    assertThat(r.stderr())
        .isEqualTo(
            "lambda-cntr: invalid recording "
                + file
                + ", line 2: expected an event [time, code, data], not an array of 2\n");
    Result missing = CliHarness.run(env, "replay", dir.resolve("none.cast").toString());
    assertThat(missing.exit()).isEqualTo(ExitCode.USAGE.code());
    assertThat(missing.stderr()).contains("cannot read the recording").contains("no such file");
  }
}
