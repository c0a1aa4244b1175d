package dev.lambdacntr.cli.standby;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class StandbySpawnTest {

  @Test
  void theStandbyKeepsTheJvmOptionsAndTakesItsOwnMainClass() {
    List<String> launched =
        List.of(
            "-XX:AOTCache=/opt/l/lib/lambda-cntr.aot",
            "-XX:TieredStopAtLevel=1",
            "-Dlambda-cntr.standby=on",
            "-jar",
            "/opt/l/lib/lambda-cntr-cli.jar",
            "execute",
            "pod",
            "--",
            "true");

    assertThat(StandbySpawn.command("/jdk/bin/java", launched, "/opt/l/lib/lambda-cntr-cli.jar"))
        .contains(
            List.of(
                "/jdk/bin/java",
                "-XX:AOTCache=/opt/l/lib/lambda-cntr.aot",
                "-XX:TieredStopAtLevel=1",
                "-Dlambda-cntr.standby=on",
                "-cp",
                "/opt/l/lib/lambda-cntr-cli.jar",
                "dev.lambdacntr.cli.standby.StandbyProcess"));
  }

  @Test
  void aStandbyStartsItsSuccessorWithItsOwnOptions() {
    List<String> standby =
        List.of("-Xss1m", "-cp", "/l/cli.jar", "dev.lambdacntr.cli.standby.StandbyProcess");

    assertThat(StandbySpawn.command("java", standby, "/l/cli.jar"))
        .contains(List.of("java", "-Xss1m", "-cp", "/l/cli.jar", StandbyProcess.class.getName()));
  }

  @Test
  void withoutAJarOrAClassPathThereIsNoStandby() {
    assertThat(StandbySpawn.command("java", List.of("-Xss1m", "Main"), "/l/cli.jar")).isEmpty();
    assertThat(StandbySpawn.command("java", List.of("-jar", "/l/cli.jar"), "")).isEmpty();
  }
}
