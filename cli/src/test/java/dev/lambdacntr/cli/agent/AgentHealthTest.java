package dev.lambdacntr.cli.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AgentHealthTest {

  static Pod pod(String phase, ContainerStatus status) {
    return new PodBuilder()
        .withNewStatus()
        .withPhase(phase)
        .addToContainerStatuses(status)
        .endStatus()
        .build();
  }

  static ContainerStatusBuilder agent() {
    return new ContainerStatusBuilder().withName("agent");
  }

  static Event warning(String reason, String message) {
    return new EventBuilder().withType("Warning").withReason(reason).withMessage(message).build();
  }

  @Test
  void runningAndReadyIsReady() {
    Pod p =
        pod(
            "Running",
            agent()
                .withReady(true)
                .withNewState()
                .withNewRunning()
                .endRunning()
                .endState()
                .build());
    assertThat(AgentHealth.of(p, Optional.empty())).isEqualTo(new AgentHealth.Ready());
  }

  @Test
  void creatingIsStarting() {
    Pod p =
        pod(
            "Pending",
            agent()
                .withNewState()
                .withNewWaiting()
                .withReason("ContainerCreating")
                .endWaiting()
                .endState()
                .build());
    assertThat(AgentHealth.of(p, Optional.empty()))
        .isEqualTo(new AgentHealth.Starting("ContainerCreating"));
    assertThat(AgentHealth.of(new Pod(), Optional.empty()))
        .isEqualTo(new AgentHealth.Starting("pod Pending"));
  }

  @Test
  void pullFailureWithoutAnEventUsesTheStatus() {
    Pod p =
        pod(
            "Pending",
            agent()
                .withNewState()
                .withNewWaiting()
                .withReason("ImagePullBackOff")
                .withMessage("Back-off pulling image \"x\"")
                .endWaiting()
                .endState()
                .build());
    assertThat(AgentHealth.of(p, Optional.empty()))
        .isEqualTo(new AgentHealth.Broken("ImagePullBackOff: Back-off pulling image \"x\""));
  }

  @Test
  void theKubeletsEventIsPreferredAndMayComeFirst() {
    Pod p =
        pod(
            "Pending",
            agent()
                .withNewState()
                .withNewWaiting()
                .withReason("ContainerCreating")
                .endWaiting()
                .endState()
                .build());
    assertThat(
            AgentHealth.of(
                p, Optional.of(warning("Failed", "Failed to pull image \"x\": not found"))))
        .isEqualTo(new AgentHealth.Broken("Failed to pull image \"x\": not found"));
    assertThat(
            AgentHealth.of(
                p,
                Optional.of(
                    warning("FailedMount", "hostPath type check failed: /a is not a directory"))))
        .isEqualTo(
            new AgentHealth.Broken(
                "FailedMount: hostPath type check failed: /a is not a directory"));
  }

  @Test
  void transientWarningsDoNotBreakTheAgent() {
    Pod p =
        pod(
            "Pending",
            agent()
                .withNewState()
                .withNewWaiting()
                .withReason("ContainerCreating")
                .endWaiting()
                .endState()
                .build());
    assertThat(
            AgentHealth.of(
                p, Optional.of(warning("FailedMount", "timed out waiting for the condition"))))
        .isInstanceOf(AgentHealth.Starting.class);
    assertThat(
            AgentHealth.of(p, Optional.of(warning("FailedCreatePodSandBox", "network not ready"))))
        .isInstanceOf(AgentHealth.Starting.class);
  }

  @Test
  void anExitedAgentIsBroken() {
    Pod p =
        pod(
            "Failed",
            agent()
                .withNewState()
                .withNewTerminated()
                .withExitCode(127)
                .withReason("Error")
                .withMessage("exec: lambda-cntr-agent-idle: not found")
                .endTerminated()
                .endState()
                .build());
    assertThat(AgentHealth.of(p, Optional.empty()))
        .isEqualTo(
            new AgentHealth.Broken(
                "agent container exited with code 127 (Error): exec: lambda-cntr-agent-idle: not found"));
  }

  @Test
  void aRejectedPodIsBroken() {
    Pod p =
        new PodBuilder()
            .withNewStatus()
            .withPhase("Failed")
            .withReason("OutOfcpu")
            .withMessage("Node didn't have enough resource: cpu")
            .endStatus()
            .build();
    assertThat(AgentHealth.of(p, Optional.empty()))
        .isEqualTo(
            new AgentHealth.Broken("pod Failed: OutOfcpu: Node didn't have enough resource: cpu"));
  }
}
