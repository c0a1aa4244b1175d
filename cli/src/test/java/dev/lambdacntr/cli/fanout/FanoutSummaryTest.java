package dev.lambdacntr.cli.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FanoutSummaryTest {

  @Test
  void allSucceededIsZeroAndSilent() {
    FanoutSummary s =
        FanoutSummary.of(List.of(FanoutResult.ran("web-1", 0), FanoutResult.ran("web-2", 0)));
    assertThat(s).isEqualTo(new FanoutSummary(0, Optional.empty()));
  }

  @Test
  void failuresAreListedByNameAndTheFirstOnesStatusIsTheExitStatus() {
    FanoutSummary s =
        FanoutSummary.of(
            List.of(
                FanoutResult.ran("web-3", 0),
                FanoutResult.failed("web-2", 75, "timed out after 5s"),
                FanoutResult.ran("web-1", 3),
                FanoutResult.failed("web-4", 71, "pod x/web-4 is not running (phase Pending)")));
    assertThat(s.status()).isEqualTo(3);
    assertThat(s.message())
        .contains(
            "3 of 4 failed: web-1 (exit 3), web-2 (timed out after 5s), web-4 (pod x/web-4 is not"
                + " running (phase Pending))");
  }

  @Test
  void prefixedLinesAreWholeAndTheLastPartialLineIsEnded() throws IOException {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    try (PrefixedLines a = new PrefixedLines("a", sink);
        PrefixedLines b = new PrefixedLines("b", sink)) {
      a.write("one\ntw".getBytes(StandardCharsets.UTF_8));
      b.write("x\n".getBytes(StandardCharsets.UTF_8));
      a.write("o\nthree".getBytes(StandardCharsets.UTF_8));
    }
    assertThat(sink.toString(StandardCharsets.UTF_8)).isEqualTo("a: one\nb: x\na: two\na: three\n");
  }
}
