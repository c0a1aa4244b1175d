package dev.lambdacntr.cli.exec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The server-mode request's URI, and the gateway's refusals read back as direct mode's exits. */
class GatewayRequestTest {

  static final Function<String, Status> STATUS =
      json -> new KubernetesSerialization().unmarshal(json, Status.class);

  @Test
  void executeCarriesTheCommandAsRepeatedParametersAndAttachHasNone() {
    GatewayRequest execute =
        new GatewayRequest(
            "team-a",
            "web-1",
            Optional.of("app"),
            List.of("sh", "-c", "echo a b"),
            false,
            "auto",
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            false);
    assertThat(execute.uri("https://10.0.0.1:6443/").toString())
        .isEqualTo(
            "wss://10.0.0.1:6443/apis/cntr.lambda-cntr.dev/v1alpha1/namespaces/team-a/pods/web-1"
                + "/exec?container=app&command=sh&command=-c&command=echo%20a%20b&tty=false&fs=auto");
    GatewayRequest attach =
        new GatewayRequest(
            "team-a",
            "web-1",
            Optional.empty(),
            List.of(),
            true,
            "fuse",
            Optional.of("r/d:1"),
            Optional.empty(),
            Optional.empty(),
            false);
    assertThat(attach.uri("https://h:6443").toString())
        .isEqualTo(
            "wss://h:6443/apis/cntr.lambda-cntr.dev/v1alpha1/namespaces/team-a/pods/web-1"
                + "/attach?tty=true&fs=fuse&image=r%2Fd%3A1");
    assertThat(attach.protecting(false).uri("https://h:6443").toString())
        .endsWith("/attach?tty=true&fs=fuse&image=r%2Fd%3A1&protect=false");
  }

  @Test
  void aPostMortemIsOneMoreParameter() {
    GatewayRequest attach =
        new GatewayRequest(
            "team-a",
            "web-1",
            Optional.empty(),
            List.of(),
            true,
            "auto",
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            true);
    assertThat(attach.protecting(true).uri("https://h:6443").toString())
        .endsWith("/attach?tty=true&fs=auto&protect=true&postMortem=true");
  }

  @Test
  void theReasonTravelsAsAnEncodedQueryParameter() {
    GatewayRequest execute =
        new GatewayRequest(
            "team-a",
            "web-1",
            Optional.empty(),
            List.of("ps"),
            false,
            "auto",
            Optional.empty(),
            Optional.empty(),
            Optional.of("INC-4711: 502s & timeouts"),
            false);
    assertThat(execute.protecting(false).uri("https://h:6443").toString())
        .endsWith(
            "/exec?command=ps&tty=false&fs=auto&protect=false"
                + "&reason=INC-4711%3A%20502s%20%26%20timeouts");
  }

  @Test
  void aGatewayRefusalForAMissingReasonBecomesItsOwnExitCode() {
    String body =
        "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":\"a"
            + " reason is required by policy lambda-cntr-system/lambda-cntr-policy (requireReason:"
            + " true): say why with --reason TEXT\",\"reason\":\"Forbidden\",\"details\":{\"causes\":"
            + "[{\"reason\":\"lambda-cntr.dev/exit-code\",\"message\":\"82\"}]},\"code\":403}";
    CntrException e = GatewayRefusal.of(403, body, STATUS).orElseThrow();
    assertThat(e.exitCode()).isEqualTo(ExitCode.REASON_REQUIRED);
    assertThat(e.exitCode().code()).isEqualTo(82);
    assertThat(e.getMessage()).startsWith("a reason is required by policy");
  }

  @Test
  void aPortForwardsProtectionIsTheProtectSubresourceWithNoParameters() {
    assertThat(new GatewayProtection("team-a", "web-1").uri("http://h:8080").toString())
        .isEqualTo(
            "ws://h:8080/apis/cntr.lambda-cntr.dev/v1alpha1/namespaces/team-a/pods/web-1/protect");
  }

  @Test
  void aGatewayStatusBecomesItsExitCodeAndMessage() {
    String body =
        "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":\"forbidden:"
            + " user dev-a cannot create pods/exec in namespace team-b\",\"reason\":\"Forbidden\","
            + "\"details\":{\"causes\":[{\"reason\":\"lambda-cntr.dev/exit-code\",\"message\":\"67\"}]},"
            + "\"code\":403}";
    CntrException e = GatewayRefusal.of(403, "wrapped: " + body + " (end)", STATUS).orElseThrow();
    assertThat(e.exitCode()).isEqualTo(ExitCode.FORBIDDEN);
    assertThat(e.getMessage()).contains("cannot create pods/exec in namespace team-b");
  }

  @Test
  void otherRefusalsAreLeftToTheUsualMapping() {
    assertThat(GatewayRefusal.of(403, "forbidden", STATUS)).isEmpty();
    assertThat(
            GatewayRefusal.of(
                403, "{\"kind\":\"Status\",\"message\":\"x\",\"reason\":\"Forbidden\"}", STATUS))
        .isEmpty();
    assertThat(GatewayRefusal.of(500, null, STATUS)).isEmpty();
  }
}
