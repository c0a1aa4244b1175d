package dev.lambdacntr.agent.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SessionEnvironmentTest {
  @Test
  void keepsTheTargetsVariablesAndPutsTheToolsFirstOnPath() {
    List<String> env =
        SessionEnvironment.build(
            List.of("PATH=/app/bin:/usr/bin:relative", "APP_MODE=prod", "HOME=/home/app"),
            "/bin/bash",
            1000,
            Optional.of("xterm-256color"),
            true);
    assertThat(env)
        .containsExactly(
            "PATH="
                + SessionEnvironment.TOOLS_PATH
                + ":/var/lib/cntr/app/bin:/var/lib/cntr/usr/bin",
            "APP_MODE=prod",
            "HOME=/home/app",
            "SHELL=/bin/bash",
            "TERM=xterm-256color");
  }

  @Test
  void fillsWhatATargetDoesNotSet() {
    List<String> env = SessionEnvironment.build(List.of(), "/bin/sh", 0, Optional.empty(), true);
    assertThat(env).contains("HOME=/root", "TERM=xterm");
    assertThat(env.get(0))
        .startsWith("PATH=" + SessionEnvironment.TOOLS_PATH + ":/var/lib/cntr/usr/local/sbin");
    assertThat(
            SessionEnvironment.build(List.of("TERM=dumb"), "/bin/sh", 5, Optional.empty(), false))
        .contains("TERM=dumb", "HOME=/");
  }
}
