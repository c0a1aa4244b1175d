package dev.lambdacntr.agent.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lambdacntr.agent.target.Capabilities;
import dev.lambdacntr.agent.target.SecurityLabel;
import dev.lambdacntr.agent.target.TargetSnapshot;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SessionSpecTest {
  private static final Capabilities NONE = new Capabilities(0, 0, 0, 0, 0);

  private static TargetSnapshot snapshot(List<String> env, String cwd) {
    return new TargetSnapshot(
        env,
        1000,
        1000,
        List.of(1000L, 10L),
        NONE,
        true,
        cwd,
        Optional.of(new SecurityLabel("attr/exec", "exec p")),
        List.of(),
        List.of());
  }

  private static SessionPlan plan(TargetSnapshot snapshot, boolean tty) {
    return new SessionPlan(
        Optional.of(5),
        Optional.empty(),
        Optional.of(6),
        List.of(new SessionSpec.CgroupFd(7, "memory:/a")),
        snapshot,
        tty,
        true,
        false,
        Optional.of("default ALLOW 1\nrule unshare ERRNO 1\n"),
        40,
        Optional.of(new SessionSpec.Marker(8, "4242")),
        false,
        Optional.of("/bin/zsh"),
        Optional.of("xterm-256color"));
  }

  @Test
  void theHelperGetsEveryDecision() {
    SessionSpec spec =
        plan(snapshot(List.of("A=1"), "/app"), true)
            .complete(List.of(), Set.of("/bin/bash")::contains);
    assertThat(spec.helperArguments())
        .containsExactly(
            "--pidns-fd",
            "5",
            "--userns-fd",
            "6",
            "--cgroup",
            "7:memory:/a",
            "--uid",
            "1000",
            "--gid",
            "1000",
            "--groups",
            "1000,10",
            "--caps",
            NONE.helperArgument(),
            "--cap-last",
            "40",
            "--seccomp",
            "default ALLOW 1\nrule unshare ERRNO 1\n",
            "--no-new-privs",
            "--lsm-attr",
            "attr/exec",
            "--lsm-label",
            "exec p",
            "--cwd",
            "/var/lib/cntr/app",
            "--tty",
            "--framed-stdin",
            "--marker",
            "8:4242",
            "--",
            "/bin/bash");
  }

  @Test
  void aCommandRunsDirectlyWithItsArguments() {
    SessionSpec spec =
        plan(snapshot(List.of(), "/"), false).complete(List.of("tar", "cf", "-", "/x"), p -> false);
    assertThat(spec.program()).isEqualTo("tar");
    assertThat(spec.arguments()).containsExactly("cf", "-", "/x");
    assertThat(spec.workingDirectory()).isEqualTo("/var/lib/cntr");
    assertThat(spec.environment()).contains("SHELL=/bin/sh").noneMatch(e -> e.startsWith("TERM="));
  }

  @Test
  void anInteractiveSessionNeedsAShell() {
    assertThatThrownBy(() -> plan(snapshot(List.of(), "/"), true).complete(List.of(), p -> false))
        .isInstanceOfSatisfying(
            CntrException.class,
            e -> assertThat(e.exitCode()).isEqualTo(ExitCode.COMMAND_NOT_FOUND))
        .hasMessage("no shell in the tools root: tried /bin/zsh, /bin/bash, /bin/sh");
  }

  @Test
  void theToolsShellComesFirst() {
    assertThat(ShellChoice.choose(Optional.of("/bin/zsh"), p -> true)).isEqualTo("/bin/zsh");
    assertThat(ShellChoice.choose(Optional.of("zsh"), p -> true)).isEqualTo("/bin/bash");
    assertThat(ShellChoice.choose(Optional.empty(), "/bin/sh"::equals)).isEqualTo("/bin/sh");
  }
}
