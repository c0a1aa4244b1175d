package dev.lambdacntr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lambdacntr.target.Target;
import dev.lambdacntr.target.TargetResolver;
import org.junit.jupiter.api.Test;

class SessionRunnerLinesTest {

  private static final Target RESOLVED =
      new Target(
          "team-a",
          "web-1",
          "uid-1",
          "app",
          "node-1",
          "0123abcd",
          "containerd",
          false,
          TargetResolver.Run.CURRENT);

  /** What server mode knows before the gateway resolves it: the names given, nothing else. */
  private static Target named(String container) {
    return new Target(
        "team-a", "web-1", "", container, "", "", "", false, TargetResolver.Run.CURRENT);
  }

  @Test
  void directModeNamesTheContainerItsRuntimeAndNode() {
    assertThat(SessionRunner.targetLine(RESOLVED, false))
        .isEqualTo("target: container app (containerd://0123abcd) on node node-1");
    assertThat(SessionRunner.sessionLine(false, RESOLVED, "lambda-cntr/agent-x", false))
        .isEqualTo("executing in team-a/web-1 container app via agent lambda-cntr/agent-x");
  }

  @Test
  void serverModeSaysTheGatewayResolvesTheTargetRatherThanPrintingEmptyFields() {
    assertThat(SessionRunner.targetLine(named(""), true))
        .isEqualTo("target: resolved by the gateway (the pod's default container)");
    assertThat(SessionRunner.targetLine(named("app"), true))
        .isEqualTo("target: resolved by the gateway (container app)");
    assertThat(
            SessionRunner.sessionLine(true, named(""), "apis/cntr.lambda-cntr.dev/v1alpha1", true))
        .isEqualTo(
            "attaching to team-a/web-1 through the gateway apis/cntr.lambda-cntr.dev/v1alpha1");
  }
}
