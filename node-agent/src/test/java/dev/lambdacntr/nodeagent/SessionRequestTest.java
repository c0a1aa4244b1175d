package dev.lambdacntr.nodeagent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lambdacntr.protocol.AgentInvocation;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import dev.lambdacntr.protocol.FsBackend;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SessionRequestTest {
  private static final String ID = "ab".repeat(32);
  private static final String UID = "7c0d9e8f-1a2b-4c3d-8e4f-5a6b7c8d9e0f";

  private static Map<String, List<String>> query(String... pairs) {
    Map<String, List<String>> query = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      query.computeIfAbsent(pairs[i], k -> new java.util.ArrayList<>()).add(pairs[i + 1]);
    }
    return query;
  }

  private static void refused(Map<String, List<String>> query, String message) {
    assertThatThrownBy(() -> SessionRequest.parse(query))
        .isInstanceOfSatisfying(
            CntrException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCode.AGENT_USAGE))
        .hasMessageContaining(message);
  }

  @Test
  void aFullRequestBecomesTheAgentsInvocationWithFramedInput() {
    SessionRequest request =
        SessionRequest.parse(
            query(
                "containerId",
                ID,
                "podUid",
                UID,
                "tty",
                "true",
                "fs",
                "fuse",
                "command",
                "sh",
                "command",
                "-c",
                "command",
                "echo 'a b'"));
    assertThat(request)
        .isEqualTo(
            new SessionRequest(
                ID,
                UID,
                true,
                FsBackend.FUSE,
                false,
                Optional.empty(),
                List.of("sh", "-c", "echo 'a b'")));
    AgentInvocation invocation = request.toInvocation(Optional.of("/tools"));
    assertThat(invocation.containerId()).contains(ID);
    assertThat(invocation.podUid()).contains(UID);
    assertThat(invocation.framedStdin()).isTrue();
    assertThat(invocation.tty()).isTrue();
    assertThat(invocation.toolsRoot()).contains("/tools");
    assertThat(invocation.command()).containsExactly("sh", "-c", "echo 'a b'");
  }

  @Test
  void defaultsAreNoTerminalAutoAndTheShell() {
    SessionRequest request = SessionRequest.parse(query("containerId", ID, "podUid", UID));
    assertThat(request)
        .isEqualTo(
            new SessionRequest(ID, UID, false, FsBackend.AUTO, false, Optional.empty(), List.of()));
  }

  @Test
  void aPostMortemReachesTheAgentsInvocation() {
    SessionRequest request =
        SessionRequest.parse(
            query("containerId", ID, "podUid", UID, "postMortem", "true", "containerName", "app"));
    assertThat(request.postMortem()).isTrue();
    AgentInvocation invocation = request.toInvocation(Optional.empty());
    assertThat(invocation.postMortem()).isTrue();
    assertThat(invocation.containerName()).contains("app");
    refused(
        query("containerId", ID, "podUid", UID, "postMortem", "true", "containerName", "A/b"),
        "not a container name: 'A/b'");
    refused(
        query("containerId", ID, "podUid", UID, "containerName", "app"),
        "--container-name is for --post-mortem");
    refused(
        query("containerId", ID, "podUid", UID, "postMortem", "yes"),
        "parameter 'postMortem' must be true or false");
  }

  @Test
  void containerAndPodAreRequired() {
    refused(query("podUid", UID), "parameter 'containerId' is missing");
    refused(query("containerId", ID), "parameter 'podUid' is missing");
  }

  @Test
  void valuesAreChecked() {
    refused(query("containerId", "../etc", "podUid", UID), "../etc");
    refused(query("containerId", ID, "podUid", "not-a-uid"), "not a pod UID: 'not-a-uid'");
    refused(query("containerId", ID, "podUid", UID, "tty", "yes"), "'tty' must be true or false");
    refused(query("containerId", ID, "podUid", UID, "fs", "nfs"), "nfs");
    refused(query("containerId", ID, "podUid", UID, "command", ""), "the program may not be empty");
  }

  @Test
  void unknownAndRepeatedParametersAreRefused() {
    refused(query("containerId", ID, "podUid", UID, "image", "x"), "unknown parameter 'image'");
    refused(
        query("containerId", ID, "containerId", ID, "podUid", UID),
        "parameter 'containerId' given more than once");
  }
}
