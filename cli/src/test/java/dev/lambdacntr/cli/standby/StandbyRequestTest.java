package dev.lambdacntr.cli.standby;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StandbyRequestTest {

  private static final StandbyRequest REQUEST =
      new StandbyRequest(
          "00ff00ff00ff00ff",
          "/home/dev/project",
          Map.of("KUBECONFIG", "/home/dev/.kube/config", "EMPTY", "", "UTF8", "grüße"),
          List.of("execute", "-v", "pod", "--", "sh", "-c", "echo 'a b'"),
          123_456_789L);

  @Test
  void aRequestReadsBackAsItWasWritten() throws IOException {
    byte[] framed = REQUEST.encode();

    assertThat(StandbyRequest.length(framed)).isEqualTo(framed.length - 4);
    assertThat(StandbyRequest.decode(Arrays.copyOfRange(framed, 4, framed.length)))
        .isEqualTo(REQUEST);
  }

  @Test
  void bytesThatAreNoRequestAreRefused() {
    byte[] body = Arrays.copyOfRange(REQUEST.encode(), 4, REQUEST.encode().length);
    byte[] wrongMagic = body.clone();
    wrongMagic[0] ^= 1;
    byte[] trailing = Arrays.copyOf(body, body.length + 1);

    assertThatThrownBy(() -> StandbyRequest.decode(wrongMagic))
        .hasMessageContaining("not a lambda-cntr standby request");
    assertThatThrownBy(() -> StandbyRequest.decode(trailing))
        .hasMessageContaining("1 bytes after its end");
    assertThatThrownBy(() -> StandbyRequest.decode(Arrays.copyOf(body, body.length - 3)))
        .isInstanceOf(IOException.class);
  }
}
