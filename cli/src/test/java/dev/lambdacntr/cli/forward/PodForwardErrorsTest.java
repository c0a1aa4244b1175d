package dev.lambdacntr.cli.forward;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PodForwardErrorsTest {

  /** As a v1.34 kubelet (containerd) sent it on the error channel, seen on the test bed. */
  private static final String REFUSED =
      "error forwarding port 9999 to pod"
          + " daacdfe6819555aa0ec5f7769374341839a39cc580df67139623ed0403aa5b96, uid : failed to"
          + " execute portforward in network namespace"
          + " \"/var/run/netns/cni-86b325a8-1a3b-1920-b937-05059ebfcbae\": failed to connect to"
          + " localhost:9999 inside namespace"
          + " \"daacdfe6819555aa0ec5f7769374341839a39cc580df67139623ed0403aa5b96\", IPv4: dial tcp4"
          + " 127.0.0.1:9999: connect: connection refused IPv6 dial tcp6: address localhost: no"
          + " suitable address found ";

  @Test
  void aRefusedConnectionSaysNothingListensOnThePort() {
    assertThat(PodForwardErrors.explain(REFUSED))
        .isEqualTo(
            "nothing listens on port 9999 in the pod's network namespace (connection refused)");
  }

  @Test
  void aRefusalWithoutThePortStillSaysWhat() {
    assertThat(PodForwardErrors.explain("dial tcp4: connect: connection refused"))
        .isEqualTo(
            "nothing listens on that port in the pod's network namespace (connection refused)");
  }

  @Test
  void otherTextIsPassedOnAndSilenceSaysThePodClosed() {
    assertThat(PodForwardErrors.explain(" pod not found (\"p_ns\")\n"))
        .isEqualTo("pod not found (\"p_ns\")");
    assertThat(PodForwardErrors.explain("  ")).isEqualTo("the pod closed the connection");
  }
}
