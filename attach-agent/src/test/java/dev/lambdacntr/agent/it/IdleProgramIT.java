package dev.lambdacntr.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lambda-cntr-agent-idle}, the agent pod's main process, with real processes as sessions.
 */
class IdleProgramIT {
  @TempDir Path sessions;

  private Process idle(String... args) throws IOException {
    List<String> command =
        new java.util.ArrayList<>(
            List.of(Agent.home().resolve("bin/lambda-cntr-agent-idle").toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("LAMBDA_CNTR_SESSIONS_DIR", sessions.toString());
    return builder.start();
  }

  private static boolean endsWithin(Process process, Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Test
  void exitsZeroAfterTheIdleTimeWithoutSessions() throws Exception {
    Process idle = idle("--idle-timeout", "1");
    assertThat(endsWithin(idle, Duration.ofSeconds(10))).isTrue();
    assertThat(idle.exitValue()).isZero();
  }

  @Test
  void aLiveSessionKeepsItAndItsEndLetsItGo() throws Exception {
    Process session = new ProcessBuilder("sleep", "600").start();
    try {
      Files.createFile(sessions.resolve(Long.toString(session.pid())));
      Process idle = idle("--idle-timeout", "1");
      assertThat(endsWithin(idle, Duration.ofSeconds(4)))
          .as("still waiting while the session lives")
          .isFalse();
      session.destroy();
      session.waitFor();
      assertThat(endsWithin(idle, Duration.ofSeconds(10))).isTrue();
      assertThat(idle.exitValue()).isZero();
      assertThat(sessions.resolve(Long.toString(session.pid()))).doesNotExist();
    } finally {
      session.destroyForcibly();
    }
  }

  @Test
  void markersOfEndedProcessesAreIgnored() throws Exception {
    Process ended = new ProcessBuilder("true").start();
    ended.waitFor();
    Files.createFile(sessions.resolve(Long.toString(ended.pid())));
    Files.createFile(sessions.resolve("not-a-pid"));
    Process idle = idle("--idle-timeout=1");
    assertThat(endsWithin(idle, Duration.ofSeconds(10))).isTrue();
    assertThat(idle.exitValue()).isZero();
  }

  @Test
  void sigtermEndsItAtOnceAndBadArgumentsAreRefused() throws Exception {
    Process idle = idle("--idle-timeout", "600");
    Thread.sleep(300);
    idle.destroy();
    assertThat(endsWithin(idle, Duration.ofSeconds(3))).isTrue();
    assertThat(idle.exitValue()).isZero();

    Commands.Result bad =
        Commands.run(
            List.of(
                Agent.home().resolve("bin/lambda-cntr-agent-idle").toString(),
                "--idle-timeout",
                "soon"),
            Map.of("LAMBDA_CNTR_SESSIONS_DIR", sessions.toString()),
            new byte[0],
            Duration.ofSeconds(5));
    assertThat(bad.exit()).isEqualTo(64);
    assertThat(bad.out() + bad.err())
        .contains("--idle-timeout needs a whole number of seconds, not 'soon'");
  }
}
