package dev.lambdacntr.cli.watch;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TargetEndTest {

  private static PodBuilder running(String containerId) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("web-1")
        .withNamespace("shop")
        .addNewOwnerReference()
        .withKind("ReplicaSet")
        .withName("web-5d")
        .endOwnerReference()
        .endMetadata()
        .withNewStatus()
        .withPhase("Running")
        .addNewContainerStatus()
        .withName("app")
        .withContainerID("containerd://" + containerId)
        .withNewState()
        .withNewRunning()
        .endRunning()
        .endState()
        .endContainerStatus()
        .endStatus();
  }

  private static Optional<String> end(Optional<Pod> pod) {
    return TargetEnd.of("shop", "web-1", "app", "abc", pod);
  }

  @Test
  void withoutTheContainersIdOnlyItsEndIsTold() {
    // server mode: the gateway alone knew the container's ID, so a new ID is no restart
    assertThat(TargetEnd.of("shop", "web-1", "app", "", Optional.of(running("def").build())))
        .isEmpty();
    assertThat(TargetEnd.of("shop", "web-1", "", "", Optional.empty()))
        .contains("pod shop/web-1 was deleted");
  }

  @Test
  void aRunningTargetHasNotEnded() {
    assertThat(end(Optional.of(running("abc").build()))).isEmpty();
  }

  @Test
  void deletionScaleDownRestartAndTerminationAreNamed() {
    assertThat(end(Optional.empty())).contains("pod shop/web-1 was deleted");
    Pod deleting =
        running("abc")
            .editMetadata()
            .withDeletionTimestamp("2026-11-24T01:00:00Z")
            .endMetadata()
            .build();
    assertThat(end(Optional.of(deleting)))
        .contains("pod shop/web-1 was deleted (owner ReplicaSet web-5d)");
    Pod restarted = running("def").build();
    assertThat(end(Optional.of(restarted)))
        .contains("container app of pod shop/web-1 was restarted");
    Pod terminated =
        running("abc")
            .editStatus()
            .editFirstContainerStatus()
            .withNewState()
            .withNewTerminated()
            .withExitCode(137)
            .withReason("Error")
            .endTerminated()
            .endState()
            .endContainerStatus()
            .endStatus()
            .build();
    assertThat(end(Optional.of(terminated)))
        .contains("container app of pod shop/web-1 terminated (exit code 137, Error)");
  }
}
