package dev.lambdacntr.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AgentInvocationTest {

  @Test
  void containerInvocationRoundTripsThroughItsArgv() {
    AgentInvocation invocation =
        AgentInvocation.forContainer(
            "4f1c2a",
            Optional.of("9b3f6a2e-1c4d-4e8f-a0b2-c3d4e5f6a7b8"),
            Optional.of("main"),
            Optional.of("containerd"),
            Optional.of("/run/containerd/containerd.sock"),
            FsBackend.FUSE,
            true,
            true,
            "128m",
            true,
            true,
            List.of("sh", "-c", "echo --pid"));

    List<String> argv = invocation.toArgv();

    assertThat(argv)
        .containsExactly(
            "lambda-cntr-agent",
            "attach",
            "--pod-uid",
            "9b3f6a2e-1c4d-4e8f-a0b2-c3d4e5f6a7b8",
            "--container-name",
            "main",
            "--runtime",
            "containerd",
            "--socket-path",
            "/run/containerd/containerd.sock",
            "--fs",
            "fuse",
            "--tty",
            "--keep-env",
            "--tmp-size",
            "128m",
            "--no-seccomp",
            "--framed-stdin",
            "--post-mortem",
            "4f1c2a",
            "--",
            "sh",
            "-c",
            "echo --pid");
    assertThat(AgentInvocation.parse(argv.subList(2, argv.size()))).isEqualTo(invocation);
  }

  @Test
  void aPostMortemNamesTheContainerAndItsPod() {
    assertThat(
            AgentInvocation.parse(
                    List.of(
                        "--post-mortem",
                        "--pod-uid",
                        "9b3f6a2e-1c4d-4e8f-a0b2-c3d4e5f6a7b8",
                        "4f1c2a"))
                .postMortem())
        .isTrue();
    assertThatThrownBy(() -> AgentInvocation.parse(List.of("--post-mortem", "4f1c2a")))
        .isInstanceOf(CntrException.class)
        .hasMessageContaining("--post-mortem needs a CONTAINER_ID and --pod-uid");
    assertThatThrownBy(() -> AgentInvocation.parse(List.of("--post-mortem", "--pid", "7")))
        .hasMessageContaining("--post-mortem needs");
  }

  @Test
  void aContainerNameIsADnsLabelAndOnlyForAPostMortem() {
    String uid = "9b3f6a2e-1c4d-4e8f-a0b2-c3d4e5f6a7b8";
    assertThat(
            AgentInvocation.parse(
                    List.of("--post-mortem", "--pod-uid", uid, "--container-name", "app-1", "4f1c"))
                .containerName())
        .contains("app-1");
    assertThatThrownBy(
            () ->
                AgentInvocation.parse(
                    List.of("--post-mortem", "--pod-uid", uid, "--container-name", "../x", "4f1c")))
        .isInstanceOf(CntrException.class)
        .hasMessage("not a container name: '../x'");
    assertThatThrownBy(
            () ->
                AgentInvocation.parse(
                    List.of("--pod-uid", uid, "--container-name", "app-1", "4f1c")))
        .isInstanceOf(CntrException.class)
        .hasMessageContaining("--container-name is for --post-mortem");
  }

  @Test
  void pidInvocationWithoutCommandMeansShell() {
    AgentInvocation parsed =
        AgentInvocation.parse(List.of("--pid", "4711", "--tools-root", "/tools"));

    assertThat(parsed.pid()).contains(4711);
    assertThat(parsed.containerId()).isEmpty();
    assertThat(parsed.toolsRoot()).contains("/tools");
    assertThat(parsed.fs()).isEqualTo(FsBackend.AUTO);
    assertThat(parsed.tty()).isFalse();
    assertThat(parsed.keepEnv()).isFalse();
    assertThat(parsed.command()).isEmpty();
  }

  @Test
  void rejectsBothOrNeitherTarget() {
    assertThatThrownBy(() -> AgentInvocation.parse(List.of("--pid", "1", "abc")))
        .isInstanceOf(CntrException.class)
        .hasMessageContaining("exactly one of --pid");
    assertThatThrownBy(() -> AgentInvocation.parse(List.of("--fs", "mount")))
        .hasMessageContaining("exactly one of --pid");
  }

  @Test
  void namesTheBadArgument() {
    assertThatThrownBy(() -> AgentInvocation.parse(List.of("--fs", "nfs", "abc")))
        .hasMessage("unknown --fs value 'nfs': expected auto, mount or fuse");
    assertThatThrownBy(() -> AgentInvocation.parse(List.of("abc", "--socket-path")))
        .hasMessage("option --socket-path needs a value");
    assertThatThrownBy(() -> AgentInvocation.parse(List.of("--pid", "x1")))
        .hasMessage("--pid needs a number, not 'x1'");
    assertThatThrownBy(() -> AgentInvocation.parse(List.of("--frobnicate", "abc")))
        .hasMessage("unknown agent option '--frobnicate'");
    assertThatThrownBy(() -> AgentInvocation.parse(List.of("abc;rm -rf /")))
        .hasMessage("not a container ID: 'abc;rm -rf /'");
    assertThatThrownBy(() -> AgentInvocation.parse(List.of("abc", "--")))
        .hasMessage("'--' must be followed by a command");
  }

  @Test
  void everyFailureCarriesTheAgentUsageCode() {
    assertThatThrownBy(() -> AgentInvocation.parse(List.of("--pid", "0")))
        .isInstanceOfSatisfying(
            CntrException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.AGENT_USAGE));
  }

  @Test
  void rejectsABadPodUidOrTmpSize() {
    assertThatThrownBy(() -> AgentInvocation.parse(List.of("--pod-uid", "../x", "abc")))
        .isInstanceOf(CntrException.class)
        .hasMessageContaining("not a pod UID: '../x'");
    assertThatThrownBy(() -> AgentInvocation.parse(List.of("--tmp-size", "64m,exec", "abc")))
        .isInstanceOf(CntrException.class)
        .hasMessageContaining("--tmp-size: not a size: '64m,exec'");
    assertThat(AgentInvocation.isTmpSize("64m")).isTrue();
    assertThat(AgentInvocation.isTmpSize("25%")).isTrue();
    assertThat(AgentInvocation.isTmpSize("0")).isFalse();
    assertThat(AgentInvocation.isTmpSize("101%")).isFalse();
  }
}
