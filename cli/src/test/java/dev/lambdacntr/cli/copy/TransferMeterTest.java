package dev.lambdacntr.cli.copy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TransferMeterTest {
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final PrintStream stderr = new PrintStream(err, true, StandardCharsets.UTF_8);

  private String waitForReport() throws InterruptedException {
    for (int i = 0; i < 500 && err.size() == 0; i++) {
      Thread.sleep(10);
    }
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aCopyThatSucceededEndsWithDone() throws InterruptedException {
    TransferMeter meter = new TransferMeter(stderr, false, 0);
    meter.add(3 << 20);
    assertThat(waitForReport()).startsWith("cp: 3.0 MiB in ");
    meter.close(true);
    assertThat(err.toString(StandardCharsets.UTF_8)).endsWith(", done\n");
  }

  @Test
  void aCopyThatFailedEndsWithItsErrorAlone() throws InterruptedException {
    TransferMeter meter = new TransferMeter(stderr, false, 0);
    meter.add(1);
    assertThat(waitForReport()).startsWith("cp: 1 B in ");
    meter.close(false);
    assertThat(err.toString(StandardCharsets.UTF_8)).doesNotContain("done");
  }

  @Test
  void nothingIsReportedBeforeTheFirstByteOrWhenQuiet() throws InterruptedException {
    TransferMeter starting = new TransferMeter(stderr, false, 0);
    TransferMeter quiet = new TransferMeter(stderr, true, 0);
    quiet.add(1 << 20);
    Thread.sleep(100);
    starting.close(true);
    quiet.close(true);
    assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    assertThat(quiet.bytes()).isEqualTo(1 << 20);
  }
}
