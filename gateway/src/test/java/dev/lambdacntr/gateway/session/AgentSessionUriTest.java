package dev.lambdacntr.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class AgentSessionUriTest {

  @Test
  void aPostMortemNamesTheContainerSoTheAgentCanTakeItsNewestEndedRun() {
    assertThat(AgentSessionUri.of("abc123", "uid-1", true, "fuse", true, "main", List.of()))
        .isEqualTo(
            "/v1/sessions?containerId=abc123&podUid=uid-1&tty=true&fs=fuse"
                + "&postMortem=true&containerName=main");
  }

  @Test
  void aSessionInTheCurrentRunDoesNotNameTheContainer() {
    assertThat(AgentSessionUri.of("abc123", "uid-1", false, "mount", false, "main", List.of("id")))
        .isEqualTo("/v1/sessions?containerId=abc123&podUid=uid-1&tty=false&fs=mount&command=id");
  }
}
