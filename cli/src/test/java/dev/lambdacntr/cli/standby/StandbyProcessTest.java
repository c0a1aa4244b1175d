package dev.lambdacntr.cli.standby;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StandbyProcessTest {

  @Test
  void verboseIsTheCliOptionNotTheRemoteCommands() {
    assertThat(StandbyProcess.verbose(List.of("execute", "-v", "pod", "--", "true"))).isTrue();
    assertThat(StandbyProcess.verbose(List.of("attach", "--verbose", "pod"))).isTrue();
    assertThat(StandbyProcess.verbose(List.of("execute", "pod", "--", "grep", "-v", "x")))
        .isFalse();
    assertThat(StandbyProcess.verbose(List.of("execute", "-q", "pod"))).isFalse();
  }

  @Test
  void onlyTheSameDirectoryEnvironmentAndKeyAreServed() {
    Map<String, String> env = System.getenv();
    String cwd = System.getProperty("user.dir");
    StandbyPlace place = new StandbyPlace(Path.of("/nonexistent"), "0123456789abcdef");
    StandbyRequest same = new StandbyRequest(place.key(), cwd, env, List.of("execute"), 0L);

    assertThat(StandbyProcess.matches(same, place)).isTrue();
    assertThat(
            StandbyProcess.matches(
                new StandbyRequest("fedcba9876543210", cwd, env, List.of(), 0L), place))
        .isFalse();
    assertThat(
            StandbyProcess.matches(
                new StandbyRequest(place.key(), cwd + "/sub", env, List.of(), 0L), place))
        .isFalse();
    Map<String, String> more = new java.util.HashMap<>(env);
    more.put("LAMBDA_CNTR_STANDBY_TEST_EXTRA", "1");
    assertThat(
            StandbyProcess.matches(
                new StandbyRequest(place.key(), cwd, more, List.of(), 0L), place))
        .isFalse();
    more.remove("LAMBDA_CNTR_STANDBY_TEST_EXTRA");
    more.put("_", "/somewhere/else");
    assertThat(
            StandbyProcess.matches(
                new StandbyRequest(place.key(), cwd, more, List.of(), 0L), place))
        .as("_ differs between equal invocations")
        .isTrue();
  }

  /**
   * A pipe and a character device are opened again through /proc with their access mode; a regular
   * file is refused (its offset would not be the invocation's).
   */
  @Test
  void onlyPipesAndDevicesAreOpenedAgain(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("out"), "");
    Process piped =
        new ProcessBuilder("sleep", "30")
            .redirectInput(new java.io.File("/dev/null"))
            .start(); // stdout and stderr are pipes
    Process toFile =
        new ProcessBuilder("sleep", "30")
            .redirectInput(new java.io.File("/dev/null"))
            .redirectOutput(file.toFile())
            .start();
    try {
      int[] fds = StandbyProcess.open(piped.pid());
      assertThat(fds).hasSize(3);
      try {
        assertThat(Files.readSymbolicLink(Path.of("/proc/self/fd/" + fds[0])))
            .hasToString("/dev/null");
        assertThat(Files.readSymbolicLink(Path.of("/proc/self/fd/" + fds[1])).toString())
            .isEqualTo(Files.readSymbolicLink(Path.of("/proc/" + piped.pid() + "/fd/1")).toString())
            .startsWith("pipe:");
        assertThat(flags(fds[1]) & 3).as("write only, as the invocation's").isEqualTo(1);
      } finally {
        for (int fd : fds) {
          UnixCalls.close(fd);
        }
      }
      assertThat(StandbyProcess.open(toFile.pid())).isNull();
    } finally {
      piped.destroyForcibly();
      toFile.destroyForcibly();
    }
  }

  private static int flags(int fd) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
      if (line.startsWith("flags:")) {
        return Integer.parseInt(line.substring(6).trim(), 8);
      }
    }
    throw new IOException("no flags for fd " + fd);
  }
}
