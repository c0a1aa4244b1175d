package dev.lambdacntr.nodeagent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ClientMessageTest {
  private static byte[] message(int channel, String text) {
    byte[] data = text.getBytes(StandardCharsets.UTF_8);
    byte[] message = new byte[data.length + 1];
    message[0] = (byte) channel;
    System.arraycopy(data, 0, message, 1, data.length);
    return message;
  }

  @Test
  void stdinCarriesItsBytes() {
    assertThat(ClientMessage.decode(message(0, "ls\n")))
        .isInstanceOfSatisfying(
            ClientMessage.Input.class,
            input -> assertThat(input.data()).isEqualTo("ls\n".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void v5sCloseOfStdinEndsTheInput() {
    assertThat(ClientMessage.decode(new byte[] {(byte) 255, 0}))
        .isEqualTo(new ClientMessage.InputEnd());
    assertThat(ClientMessage.decode(new byte[] {(byte) 255, 1}))
        .isInstanceOf(ClientMessage.Ignored.class);
  }

  @Test
  void resizeReadsTheKubeletsJson() {
    assertThat(ClientMessage.decode(message(4, "{\"Width\":120,\"Height\":40}")))
        .isEqualTo(new ClientMessage.Resize(120, 40));
    assertThat(ClientMessage.decode(message(4, "{\"Width\":0,\"Height\":40}")))
        .isInstanceOf(ClientMessage.Ignored.class);
    assertThat(ClientMessage.decode(message(4, "not json")))
        .isInstanceOf(ClientMessage.Ignored.class);
    assertThat(ClientMessage.decode(message(4, "[1,2]"))).isInstanceOf(ClientMessage.Ignored.class);
  }

  @Test
  void otherChannelsAndEmptyMessagesAreIgnored() {
    assertThat(ClientMessage.decode(message(1, "x"))).isInstanceOf(ClientMessage.Ignored.class);
    assertThat(ClientMessage.decode(new byte[0])).isInstanceOf(ClientMessage.Ignored.class);
  }

  @Test
  void outputIsTheChannelByteThenTheData() {
    assertThat(ClientMessage.encode((byte) 2, "abc".getBytes(StandardCharsets.UTF_8), 2))
        .containsExactly(2, 'a', 'b');
  }
}
