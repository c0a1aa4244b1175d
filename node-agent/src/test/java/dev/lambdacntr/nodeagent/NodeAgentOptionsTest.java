package dev.lambdacntr.nodeagent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lambdacntr.protocol.CntrException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NodeAgentOptionsTest {
  private static final List<String> TLS =
      List.of("--cert", "s.crt", "--key", "s.key", "--client-ca", "ca.crt");

  private static List<String> with(String... more) {
    return java.util.stream.Stream.concat(TLS.stream(), List.of(more).stream()).toList();
  }

  @Test
  void listensOnEveryAddressByDefault() {
    assertThat(NodeAgentOptions.parse(TLS))
        .isEqualTo(
            new NodeAgentOptions(
                "0.0.0.0",
                10251,
                Path.of("s.crt"),
                Path.of("s.key"),
                Path.of("ca.crt"),
                Optional.empty(),
                Duration.ofMinutes(10)));
  }

  @Test
  void fuseIdleIsANumberOfSeconds() {
    assertThat(NodeAgentOptions.parse(with("--fuse-idle", "0")).fuseIdle()).isZero();
    assertThat(NodeAgentOptions.parse(with("--fuse-idle", "90")).fuseIdle())
        .isEqualTo(Duration.ofSeconds(90));
    assertThatThrownBy(() -> NodeAgentOptions.parse(with("--fuse-idle", "5m")))
        .isInstanceOf(CntrException.class)
        .hasMessageContaining("--fuse-idle needs a number of seconds (0 or more), not '5m'");
    assertThatThrownBy(() -> NodeAgentOptions.parse(with("--fuse-idle", "-1")))
        .hasMessageContaining("not '-1'");
  }

  @Test
  void listenTakesHostAndPortIncludingIpv6() {
    NodeAgentOptions options = NodeAgentOptions.parse(with("--listen", "[::1]:8443"));
    assertThat(options.host()).isEqualTo("::1");
    assertThat(options.port()).isEqualTo(8443);
  }

  @Test
  void everyTlsFileIsRequiredAndBadListenAddressesAreNamed() {
    assertThatThrownBy(() -> NodeAgentOptions.parse(List.of("--cert", "a", "--key", "b")))
        .isInstanceOf(CntrException.class)
        .hasMessageContaining("--client-ca FILE is required");
    assertThatThrownBy(() -> NodeAgentOptions.parse(with("--listen", "10251")))
        .hasMessageContaining("--listen needs HOST:PORT, not '10251'");
    assertThatThrownBy(() -> NodeAgentOptions.parse(with("--listen", "h:70000")))
        .hasMessageContaining("port 70000 is out of range");
    assertThatThrownBy(() -> NodeAgentOptions.parse(with("--insecure")))
        .hasMessageContaining("unknown option '--insecure'");
  }
}
