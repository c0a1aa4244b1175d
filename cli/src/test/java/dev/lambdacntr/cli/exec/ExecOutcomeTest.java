package dev.lambdacntr.cli.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

class ExecOutcomeTest {

  static final KubernetesSerialization JSON = new KubernetesSerialization();

  static ExecOutcome of(String json) {
    return ExecOutcome.of(JSON.unmarshal(json, Status.class));
  }

  @Test
  void successIsZero() {
    assertThat(of("{\"metadata\":{},\"status\":\"Success\"}")).isEqualTo(ExecOutcome.exited(0));
  }

  @Test
  void nonZeroExitCodesAreRead() {
    assertThat(
            of(
                "{\"metadata\":{},\"status\":\"Failure\",\"message\":\"command terminated with non-zero exit"
                    + " code: error executing command [sh -c exit 3], exit code 3\",\"reason\":\"NonZeroExitCode\","
                    + "\"details\":{\"causes\":[{\"reason\":\"ExitCode\",\"message\":\"3\"}]}}"))
        .isEqualTo(ExecOutcome.exited(3));
  }

  @Test
  void aCommandThatCouldNotStartIsAFailureWithTheServersMessage() {
    assertThat(
            of(
                "{\"status\":\"Failure\",\"message\":\"OCI runtime exec failed: exec failed: unable to start"
                    + " container process: exec: \\\"lambda-cntr-agent\\\": executable file not found in $PATH\"}"))
        .isEqualTo(
            ExecOutcome.failed(
                "OCI runtime exec failed: exec failed: unable to start container process: exec:"
                    + " \"lambda-cntr-agent\": executable file not found in $PATH"));
    assertThat(
            of(
                "{\"status\":\"Failure\",\"reason\":\"NonZeroExitCode\",\"details\":{\"causes\":[{\"reason\":\"ExitCode\",\"message\":\"x\"}]}}"))
        .isEqualTo(ExecOutcome.failed("unreadable exit code 'x'"));
  }
}
