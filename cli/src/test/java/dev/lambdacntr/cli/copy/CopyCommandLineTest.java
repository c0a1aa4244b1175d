package dev.lambdacntr.cli.copy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lambdacntr.cli.testing.CliHarness;
import dev.lambdacntr.protocol.ExitCode;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What cp refuses before it asks anything of a cluster. */
class CopyCommandLineTest {

  @TempDir Path home;

  private CliHarness.Result run(String... args) {
    return CliHarness.run(Map.of("HOME", home.toString()), args);
  }

  @ParameterizedTest
  @CsvSource({
    "--image, example.org/other:1",
    "--port-forward, 8080",
    "--address, 0.0.0.0",
  })
  void refusesWhatOnlyASessionWithATerminalOrAnotherImageTakes(String option, String value) {
    CliHarness.Result r = run("cp", option, value, "web:/etc/hosts", "hosts");
    assertThat(r.exit()).as(r.stderr()).isEqualTo(ExitCode.USAGE.code());
    assertThat(r.stderr()).contains("cp takes no " + option);
  }

  @Test
  void refusesATerminal() {
    CliHarness.Result r = run("cp", "-t", "web:/etc/hosts", "hosts");
    assertThat(r.exit()).as(r.stderr()).isEqualTo(ExitCode.USAGE.code());
    assertThat(r.stderr()).contains("cp takes no --tty");
  }

  @Test
  void aMissingLocalSourceIsNamedBeforeAnyRequest() {
    CliHarness.Result r = run("cp", home.resolve("absent").toString(), "web:/tmp");
    assertThat(r.exit()).as(r.stderr()).isEqualTo(ExitCode.LOCAL_PATH.code());
    assertThat(r.stderr()).contains("absent").contains("ENOENT");
  }

  @Test
  void twoLocalPathsAreNoCopy() {
    CliHarness.Result r = run("cp", "a", "b");
    assertThat(r.exit()).as(r.stderr()).isEqualTo(ExitCode.USAGE.code());
    assertThat(r.stderr()).contains("one container path");
  }
}
