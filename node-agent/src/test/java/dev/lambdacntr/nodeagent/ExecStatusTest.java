package dev.lambdacntr.nodeagent;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ExecStatusTest {
  @Test
  void successAndExitCodesAreTheKubeletsStatus() {
    assertThat(ExecStatus.of(0, "[true]")).isEqualTo("{\"metadata\":{},\"status\":\"Success\"}");
    assertThat(ExecStatus.of(121, "[sh, -c, \"x\"]"))
        .isEqualTo(
            "{\"metadata\":{},\"status\":\"Failure\",\"message\":\"command terminated with"
                + " non-zero exit code: error executing command [sh, -c, \\\"x\\\"], exit code"
                + " 121\",\"reason\":\"NonZeroExitCode\",\"details\":{\"causes\":[{\"reason\":"
                + "\"ExitCode\",\"message\":\"121\"}]}}");
  }
}
