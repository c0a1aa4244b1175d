package dev.lambdacntr.agent.target;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lambdacntr.agent.runtime.PidSource;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TargetLocatorTest {
  @TempDir Path dir;

  private static List<String> names(List<PidSource> sources) {
    return sources.stream().map(PidSource::name).toList();
  }

  @Test
  void eachRuntimeAsksItsOwnApiThenScansCgroups() throws IOException {
    Path socket = Files.createFile(dir.resolve("runtime.sock"));
    List<String> tried = new ArrayList<>();
    assertThat(
            names(
                TargetLocator.sources(
                    Optional.of("containerd"), Optional.of(socket.toString()), tried)))
        .containsExactly("containerd API on " + socket, "CRI on " + socket, "cgroup scan of /proc");
    assertThat(
            names(
                TargetLocator.sources(Optional.of("cri-o"), Optional.of(socket.toString()), tried)))
        .containsExactly("CRI on " + socket, "cgroup scan of /proc");
    assertThat(
            names(
                TargetLocator.sources(
                    Optional.of("docker"), Optional.of(socket.toString()), tried)))
        .containsExactly("Docker Engine API on " + socket, "cgroup scan of /proc");
    assertThat(names(TargetLocator.sources(Optional.empty(), Optional.empty(), tried)))
        .containsExactly("cgroup scan of /proc");
    assertThat(tried).isEmpty();
  }

  @Test
  void aSocketThatDoesNotExistIsNotedAndSkipped() {
    List<String> tried = new ArrayList<>();
    String missing = dir.resolve("gone.sock").toString();
    assertThat(names(TargetLocator.sources(Optional.of("containerd"), Optional.of(missing), tried)))
        .containsExactly("cgroup scan of /proc");
    assertThat(tried).containsExactly("socket " + missing + ": does not exist");
  }

  @Test
  void anUnknownRuntimeIsAUsageError() {
    assertThatThrownBy(
            () -> TargetLocator.sources(Optional.of("podman"), Optional.empty(), new ArrayList<>()))
        .isInstanceOfSatisfying(
            CntrException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.AGENT_USAGE))
        .hasMessage("unknown --runtime 'podman': expected containerd, cri-o or docker");
  }
}
