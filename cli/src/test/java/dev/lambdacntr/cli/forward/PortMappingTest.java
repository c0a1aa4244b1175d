package dev.lambdacntr.cli.forward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import org.junit.jupiter.api.Test;

class PortMappingTest {

  @Test
  void parsesTheThreeForms() {
    assertThat(PortMapping.parse("8080:80")).isEqualTo(new PortMapping(8080, 80));
    assertThat(PortMapping.parse("2345")).isEqualTo(new PortMapping(2345, 2345));
    assertThat(PortMapping.parse(":5678")).isEqualTo(new PortMapping(0, 5678));
    assertThat(PortMapping.parse(":5678")).hasToString(":5678");
    assertThat(PortMapping.parse("1:65535")).hasToString("1:65535");
  }

  @Test
  void refusesWhatIsNotAMappingNamingIt() {
    expectInvalid("", "port mapping '': '' is not a port number");
    expectInvalid("80:", "port mapping '80:': '' is not a port number");
    expectInvalid("http:80", "port mapping 'http:80': 'http' is not a port number");
    expectInvalid("0:80", "port mapping '0:80': ports are 1 to 65535, not 0");
    expectInvalid("80:70000", "port mapping '80:70000': ports are 1 to 65535, not 70000");
    expectInvalid("1:2:3", "port mapping '1:2:3': '2:3' is not a port number");
  }

  private static void expectInvalid(String text, String message) {
    assertThatThrownBy(() -> PortMapping.parse(text))
        .isInstanceOf(CntrException.class)
        .hasMessage(message + " (expected LOCAL:REMOTE, PORT or :REMOTE)")
        .extracting(e -> ((CntrException) e).exitCode())
        .isEqualTo(ExitCode.USAGE);
  }

  @Test
  void explainsTheKubeletsRefusal() {
    String kubelet =
        "error forwarding port 2345 to pod 1f2e, uid : failed to execute portforward in network"
            + " namespace \"/var/run/netns/cni-1\": failed to connect to localhost:2345 inside"
            + " namespace \"1f2e\", IPv4: dial tcp4 127.0.0.1:2345: connect: connection refused"
            + " IPv6 dial tcp6: address localhost: no suitable address ";
    assertThat(PodForwardErrors.explain(kubelet))
        .isEqualTo(
            "nothing listens on port 2345 in the pod's network namespace (connection refused)");
    assertThat(PodForwardErrors.explain("  ")).isEqualTo("the pod closed the connection");
    assertThat(PodForwardErrors.explain("something else")).isEqualTo("something else");
  }
}
