package dev.lambdacntr.cli.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lambdacntr.protocol.CntrException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Replay's timing, on a clock that moves only when the player waits. */
class AsciicastPlayerTest {

  @TempDir Path dir;
  final FakeTicker ticker = new FakeTicker();

  Path cast() throws IOException {
    Path file = dir.resolve("s.cast");
    Files.writeString(
        file,
        """
        {"version": 2, "width": 80, "height": 24}
        [0.5, "o", "a"]
        [0.7, "i", "typed"]
        [1.5, "o", "b"]
        [11.5, "o", "c"]
        [11.5, "r", "100x30"]
        [12.0, "o", "€"]
        """);
    return file;
  }

  String play(double speed, Optional<Duration> maxWait) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (AsciicastReader r = AsciicastReader.open(cast())) {
      new AsciicastPlayer(ticker, new AsciicastPlayer.Pace(speed, maxWait)).play(r, out);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  static long ms(long millis) {
    return Duration.ofMillis(millis).toNanos();
  }

  @Test
  void realSpeedWaitsTheRecordedPausesAndWritesOnlyTheOutput() throws IOException {
    assertThat(play(1, Optional.empty())).isEqualTo("abc€");
    assertThat(ticker.sleeps).containsExactly(ms(500), ms(1000), ms(10_000), ms(500));
  }

  @Test
  void aSpeedFactorDividesEveryPause() throws IOException {
    play(2, Optional.empty());
    assertThat(ticker.sleeps).containsExactly(ms(250), ms(500), ms(5_000), ms(250));
  }

  @Test
  void theIdleCapShortensLongPausesOnlyAndAppliesBeforeTheSpeed() throws IOException {
    play(2, Optional.of(Duration.ofSeconds(2)));
    assertThat(ticker.sleeps).containsExactly(ms(250), ms(500), ms(1_000), ms(250));
  }

  @Test
  void timeSpentWritingIsNotWaitedAgain() throws IOException {
    ByteArrayOutputStream slow =
        new ByteArrayOutputStream() {
          @Override
          public synchronized void write(byte[] b, int off, int len) {
            ticker.advance(ms(300));
            super.write(b, off, len);
          }
        };
    try (AsciicastReader r = AsciicastReader.open(cast())) {
      new AsciicastPlayer(ticker, new AsciicastPlayer.Pace(1, Optional.empty())).play(r, slow);
    }
    assertThat(ticker.sleeps).containsExactly(ms(500), ms(700), ms(9_700), ms(200));
  }

  @Test
  void aSpeedMustBePositive() {
    assertThatThrownBy(() -> new AsciicastPlayer.Pace(0, Optional.empty()))
        .isInstanceOf(CntrException.class)
        .hasMessage("--speed must be a positive number, not 0.0");
  }
}
