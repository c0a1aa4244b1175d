package dev.lambdacntr.target;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.List;
import java.util.Optional;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class TargetResolverTest {

  static final String ID = "4f2a".repeat(16);

  static PodBuilder pod(String... containers) {
    PodBuilder b =
        new PodBuilder()
            .withNewMetadata()
            .withNamespace("shop")
            .withName("cart-7d9f")
            .withUid("uid-1")
            .endMetadata()
            .withNewSpec()
            .withNodeName("worker-2")
            .endSpec()
            .withNewStatus()
            .withPhase("Running")
            .endStatus();
    for (String c : containers) {
      b.editSpec().addNewContainer().withName(c).endContainer().endSpec();
      b.editStatus()
          .addToContainerStatuses(
              new ContainerStatusBuilder()
                  .withName(c)
                  .withContainerID("containerd://" + ID)
                  .withNewState()
                  .withNewRunning()
                  .endRunning()
                  .endState()
                  .build())
          .endStatus();
    }
    return b;
  }

  static void fails(ThrowingCallable call, ExitCode code, String message) {
    assertThatThrownBy(call)
        .isInstanceOf(CntrException.class)
        .hasMessage(message)
        .extracting(e -> ((CntrException) e).exitCode())
        .isEqualTo(code);
  }

  @Test
  void theOnlyContainerIsTaken() {
    Target t = TargetResolver.select(pod("app").build(), Optional.empty());
    assertThat(t)
        .isEqualTo(
            new Target(
                "shop",
                "cart-7d9f",
                "uid-1",
                "app",
                "worker-2",
                ID,
                "containerd",
                false,
                TargetResolver.Run.CURRENT));
  }

  @Test
  void runtimeComesFromTheContainerIdScheme() {
    Pod p =
        pod("app")
            .editStatus()
            .editFirstContainerStatus()
            .withContainerID("cri-o://" + ID)
            .endContainerStatus()
            .endStatus()
            .build();
    assertThat(TargetResolver.select(p, Optional.empty()).runtime()).isEqualTo("cri-o");
  }

  @Test
  void severalContainersNeedAName() {
    fails(
        () -> TargetResolver.select(pod("app", "istio-proxy").build(), Optional.empty()),
        ExitCode.CONTAINER_AMBIGUOUS,
        "pod shop/cart-7d9f has 2 containers; name one of: app, istio-proxy");
    assertThat(
            TargetResolver.select(pod("app", "istio-proxy").build(), Optional.of("istio-proxy"))
                .container())
        .isEqualTo("istio-proxy");
  }

  @Test
  void kubectlsDefaultContainerAnnotationIsHonoured() {
    Pod p =
        pod("app", "sidecar")
            .editMetadata()
            .addToAnnotations(TargetResolver.DEFAULT_CONTAINER_ANNOTATION, "sidecar")
            .endMetadata()
            .build();
    assertThat(TargetResolver.select(p, Optional.empty()).container()).isEqualTo("sidecar");
  }

  @Test
  void unknownInitAndEphemeralContainersAreRefused() {
    Pod p =
        pod("app")
            .editSpec()
            .addNewInitContainer()
            .withName("migrate")
            .endInitContainer()
            .addNewEphemeralContainer()
            .withName("debugger-x")
            .endEphemeralContainer()
            .endSpec()
            .build();
    fails(
        () -> TargetResolver.select(p, Optional.of("web")),
        ExitCode.CONTAINER_NOT_FOUND,
        "pod shop/cart-7d9f has no container web; its containers: app");
    fails(
        () -> TargetResolver.select(p, Optional.of("migrate")),
        ExitCode.CONTAINER_UNSUPPORTED,
        "migrate is an init container of pod shop/cart-7d9f; lambda-cntr enters running app containers: app");
    fails(
        () -> TargetResolver.select(p, Optional.of("debugger-x")),
        ExitCode.CONTAINER_UNSUPPORTED,
        "debugger-x is an ephemeral container of pod shop/cart-7d9f; lambda-cntr enters running app containers: app");
  }

  @Test
  void pendingPodsSayWhy() {
    Pod p =
        pod("app")
            .editStatus()
            .withPhase("Pending")
            .withContainerStatuses(List.of())
            .addNewCondition()
            .withType("PodScheduled")
            .withStatus("False")
            .withReason("Unschedulable")
            .withMessage("0/3 nodes are available: 3 Insufficient memory.")
            .endCondition()
            .endStatus()
            .build();
    fails(
        () -> TargetResolver.select(p, Optional.empty()),
        ExitCode.POD_NOT_RUNNING,
        "pod shop/cart-7d9f is Pending: PodScheduled Unschedulable (0/3 nodes are available: 3 Insufficient memory.)");
  }

  @Test
  void finishedAndTerminatingPodsAreRefused() {
    fails(
        () ->
            TargetResolver.select(
                pod("app")
                    .editStatus()
                    .withPhase("Failed")
                    .withReason("Evicted")
                    .withMessage("low on memory")
                    .endStatus()
                    .build(),
                Optional.empty()),
        ExitCode.POD_NOT_RUNNING,
        "pod shop/cart-7d9f is Failed: Evicted; low on memory");
    fails(
        () ->
            TargetResolver.select(
                pod("app")
                    .editMetadata()
                    .withDeletionTimestamp("2026-11-23T10:00:00Z")
                    .endMetadata()
                    .build(),
                Optional.empty()),
        ExitCode.POD_NOT_RUNNING,
        "pod shop/cart-7d9f is terminating");
  }

  @Test
  void crashLoopingContainersSayTheirLastExit() {
    Pod p =
        pod("app")
            .editStatus()
            .editFirstContainerStatus()
            .withRestartCount(7)
            .withNewState()
            .withNewWaiting()
            .withReason("CrashLoopBackOff")
            .withMessage("back-off 5m0s restarting failed container")
            .endWaiting()
            .endState()
            .withNewLastState()
            .withNewTerminated()
            .withExitCode(2)
            .withReason("Error")
            .endTerminated()
            .endLastState()
            .endContainerStatus()
            .endStatus()
            .build();
    fails(
        () -> TargetResolver.select(p, Optional.empty()),
        ExitCode.CONTAINER_NOT_RUNNING,
        "container app of pod shop/cart-7d9f is not running: CrashLoopBackOff (back-off 5m0s restarting failed container); last exit code 2 (Error); restarts: 7; --post-mortem opens a session in what its last run left");
  }

  /** A running pod whose container's last run, {@code containerId}, exited with 3. */
  private static Pod runningAfterAnEndedRun(String containerId) {
    return pod("app")
        .editStatus()
        .editFirstContainerStatus()
        .withNewLastState()
        .withNewTerminated()
        .withExitCode(3)
        .withContainerID(containerId)
        .endTerminated()
        .endLastState()
        .endContainerStatus()
        .endStatus()
        .build();
  }

  @Test
  void aPostMortemTakesTheLastEndedRun() {
    String dead = "9c1e".repeat(16);
    Pod crashLooping =
        pod("app")
            .editStatus()
            .editFirstContainerStatus()
            .withNewState()
            .withNewWaiting()
            .withReason("CrashLoopBackOff")
            .endWaiting()
            .endState()
            .withNewLastState()
            .withNewTerminated()
            .withExitCode(3)
            .withContainerID("containerd://" + dead)
            .endTerminated()
            .endLastState()
            .endContainerStatus()
            .endStatus()
            .build();
    Target target =
        TargetResolver.select(crashLooping, Optional.empty(), TargetResolver.Run.LAST_ENDED);
    assertThat(target.containerId()).isEqualTo(dead);
    assertThat(target.runtime()).isEqualTo("containerd");

    // running again: the run before the current one
    Pod restarted = runningAfterAnEndedRun("containerd://" + dead);
    assertThat(
            TargetResolver.select(restarted, Optional.empty(), TargetResolver.Run.LAST_ENDED)
                .containerId())
        .isEqualTo(dead);

    fails(
        () ->
            TargetResolver.select(
                pod("app").build(), Optional.empty(), TargetResolver.Run.LAST_ENDED),
        ExitCode.CONTAINER_NOT_RUNNING,
        "container app of pod shop/cart-7d9f has no ended run to look at: it has not exited since"
            + " it started, or the kubelet has removed what its last run left");

    // on Docker or CRI-O: refused before any agent, naming the runtime and the node
    for (String runtime : List.of("docker", "cri-o")) {
      Pod elsewhere = runningAfterAnEndedRun(runtime + "://" + dead);
      fails(
          () -> TargetResolver.select(elsewhere, Optional.empty(), TargetResolver.Run.LAST_ENDED),
          ExitCode.AGENT_RUNTIME_ERROR,
          "container app of pod shop/cart-7d9f ran on "
              + runtime
              + " (node "
              + elsewhere.getSpec().getNodeName()
              + "): post-mortem sessions need containerd, whose CRI and snapshots keep what an"
              + " ended run left; kubectl logs --previous shows its log");
    }
  }

  @Test
  void terminatedContainersAreRefused() {
    Pod p =
        pod("app", "job")
            .editStatus()
            .editLastContainerStatus()
            .withNewState()
            .withNewTerminated()
            .withExitCode(0)
            .withReason("Completed")
            .endTerminated()
            .endState()
            .endContainerStatus()
            .endStatus()
            .build();
    fails(
        () -> TargetResolver.select(p, Optional.of("job")),
        ExitCode.CONTAINER_NOT_RUNNING,
        "container job of pod shop/cart-7d9f has terminated: exit code 0 (Completed); --post-mortem"
            + " opens a session in what its last run left");
  }

  @Test
  void aContainerWithoutStatusOrIdIsNotRunningYet() {
    Pod noStatus = pod("app").editStatus().withContainerStatuses(List.of()).endStatus().build();
    fails(
        () -> TargetResolver.select(noStatus, Optional.empty()),
        ExitCode.CONTAINER_NOT_RUNNING,
        "container app of pod shop/cart-7d9f has no status yet");
    Pod noId =
        pod("app")
            .editStatus()
            .editFirstContainerStatus()
            .withContainerID("")
            .endContainerStatus()
            .endStatus()
            .build();
    fails(
        () -> TargetResolver.select(noId, Optional.empty()),
        ExitCode.CONTAINER_NOT_RUNNING,
        "container app of pod shop/cart-7d9f has no container ID yet");
  }
}
