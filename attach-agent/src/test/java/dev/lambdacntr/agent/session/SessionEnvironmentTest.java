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
            List.of("PATH=/app/bin:/usr/bin:relative", "APP_MODE=prod", "LANG=C.UTF-8"),
            "/bin/bash",
            1000,
            Optional.of("xterm-256color"),
            true,
            false);
    assertThat(env)
        .containsExactly(
            "PATH="
                + SessionEnvironment.TOOLS_PATH
                + ":/var/lib/cntr/app/bin:/var/lib/cntr/usr/bin",
            "APP_MODE=prod",
            "LANG=C.UTF-8",
            "SHELL=/bin/bash",
            "HOME=/",
            "TERM=xterm-256color");
  }

  @Test
  void fillsWhatATargetDoesNotSet() {
    List<String> env =
        SessionEnvironment.build(List.of(), "/bin/sh", 0, Optional.empty(), true, false);
    assertThat(env).contains("HOME=/root", "TERM=xterm");
    assertThat(env.get(0))
        .startsWith("PATH=" + SessionEnvironment.TOOLS_PATH + ":/var/lib/cntr/usr/local/sbin");
    assertThat(
            SessionEnvironment.build(
                List.of("TERM=dumb"), "/bin/sh", 5, Optional.empty(), false, false))
        .contains("TERM=dumb", "HOME=/");
  }

  static final List<String> HOSTILE =
      List.of(
          "LD_PRELOAD=/var/lib/cntr/tmp/evil.so",
          "LD_LIBRARY_PATH=/var/lib/cntr/tmp",
          "LD_AUDIT=/var/lib/cntr/tmp/audit.so",
          "GCONV_PATH=/var/lib/cntr/tmp",
          "GLIBC_TUNABLES=glibc.malloc.check=3",
          "BASH_ENV=/var/lib/cntr/tmp/rc",
          "ENV=/var/lib/cntr/tmp/rc",
          "BASH_FUNC_ls%%=() { echo owned; }",
          "PROMPT_COMMAND=curl evil",
          "PS1=$(curl evil)",
          "PYTHONPATH=/var/lib/cntr/tmp",
          "PYTHONSTARTUP=/var/lib/cntr/tmp/s.py",
          "PERL5OPT=-Mevil",
          "NODE_OPTIONS=--require /var/lib/cntr/tmp/e.js",
          "LESSOPEN=|/var/lib/cntr/tmp/x %s",
          "HOME=/var/lib/cntr/tmp/home",
          "APP_MODE=prod");

  @Test
  void variablesThatWouldRunTheTargetsCodeInTheToolsAreRenamed() {
    List<String> env =
        SessionEnvironment.build(HOSTILE, "/bin/bash", 0, Optional.empty(), false, false);
    for (String entry : HOSTILE) {
      String name = entry.substring(0, entry.indexOf('='));
      if (name.equals("APP_MODE")) {
        assertThat(env).contains(entry);
      } else {
        assertThat(env).as(name).doesNotContain(entry).contains("TARGET_" + entry);
      }
    }
    assertThat(env).contains("HOME=/root").filteredOn(e -> e.startsWith("HOME=")).hasSize(1);
  }

  @Test
  void keepEnvKeepsThemAsTheyAre() {
    List<String> env =
        SessionEnvironment.build(HOSTILE, "/bin/bash", 0, Optional.empty(), false, true);
    assertThat(env).containsAll(HOSTILE).noneMatch(e -> e.startsWith("TARGET_"));
  }

  @Test
  void onlyTheListedNamesAndPrefixesCount() {
    assertThat(SessionEnvironment.hijacking("LD_BIND_NOW")).isTrue();
    assertThat(SessionEnvironment.hijacking("OLD_PRELOAD")).isFalse();
    assertThat(SessionEnvironment.hijacking("PS5")).isFalse();
    assertThat(SessionEnvironment.hijacking("HTTP_PROXY")).isFalse();
  }
}
