package dev.lambdacntr.cli.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ExecRequestTest {

  @Test
  void argvIsEncodedOneParameterPerArgument() {
    ExecRequest r =
        new ExecRequest(
            "lambda-cntr", "agent-x", "agent", List.of("sh", "-c", "echo a&b=c d"), false);
    assertThat(r.uri("https://10.0.0.1:6443").toString())
        .isEqualTo(
            "wss://10.0.0.1:6443/api/v1/namespaces/lambda-cntr/pods/agent-x/exec?command=sh&command=-c"
                + "&command=echo%20a%26b%3Dc%20d&container=agent&stdin=true&stdout=true&stderr=true&tty=false");
  }

  @Test
  void aTerminalMergesStderrAndPlainHttpBecomesWs() {
    ExecRequest r = new ExecRequest("ns", "p", "agent", List.of("x"), true);
    assertThat(r.uri("http://localhost:8080/").toString())
        .isEqualTo(
            "ws://localhost:8080/api/v1/namespaces/ns/pods/p/exec?command=x&container=agent&stdin=true&stdout=true&stderr=false&tty=true");
  }
}
