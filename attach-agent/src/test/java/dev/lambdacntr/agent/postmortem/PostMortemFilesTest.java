package dev.lambdacntr.agent.postmortem;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PostMortemFilesTest {

  private static String plain(String log, boolean cut) {
    return new String(
        PostMortemFiles.plain(log.getBytes(StandardCharsets.UTF_8), cut), StandardCharsets.UTF_8);
  }

  @Test
  void criLinesBecomeTheirText() {
    String log =
        "2026-12-06T23:00:00.000000001Z stdout F starting\n"
            + "2026-12-06T23:00:00.000000002Z stderr F panic: no config at /etc/app.yaml\n";
    assertThat(plain(log, false)).isEqualTo("starting\npanic: no config at /etc/app.yaml\n");
  }

  @Test
  void partialLinesAreJoinedAndSpacesInTheTextKept() {
    String log =
        "2026-12-06T23:00:00Z stdout P a long  line \n"
            + "2026-12-06T23:00:00Z stdout F continued\n"
            + "2026-12-06T23:00:01Z stdout F \n";
    assertThat(plain(log, false)).isEqualTo("a long  line continued\n\n");
  }

  @Test
  void aTailStartingInsideALineDropsThatLine() {
    String log = "t stdout F ...of a line\n" + "2026-12-06T23:00:00Z stdout F whole\n";
    assertThat(plain(log.substring(6), true)).isEqualTo("whole\n");
  }

  @Test
  void whatIsNotACriLineIsKept() {
    assertThat(plain("just text\n", false)).isEqualTo("just text\n");
  }
}
