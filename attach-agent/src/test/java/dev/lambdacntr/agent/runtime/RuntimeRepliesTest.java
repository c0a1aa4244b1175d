package dev.lambdacntr.agent.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lambdacntr.agent.runtime.wire.Proto;
import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The runtimes' replies as the agent reads them (the real exchanges run in the runtime ITs). */
class RuntimeRepliesTest {
  private static byte[] criStatus(long state, String info) {
    Proto.Writer writer =
        new Proto.Writer().message(1, new Proto.Writer().string(1, "id").uint(3, state));
    if (info != null) {
      writer.mapEntry(2, "info", info);
    }
    return writer.toByteArray();
  }

  @Test
  void criVerboseInfoGivesThePid() {
    PidSource.Lookup lookup =
        CriRuntime.fromStatus(
            criStatus(1, "{\"sandboxID\":\"s\",\"pid\":31337,\"runtimeSpec\":{}}"));
    assertThat(lookup.pid()).isEqualTo(OptionalInt.of(31337));
  }

  @Test
  void criContainersThatDoNotRunAreMisses() {
    assertThat(CriRuntime.fromStatus(criStatus(2, "{\"pid\":0}")).detail())
        .isEqualTo("container not running (CRI state 2)");
    assertThat(CriRuntime.fromStatus(criStatus(1, null)).detail())
        .isEqualTo("no verbose info in ContainerStatus");
  }

  @Test
  void dockerStateGivesThePidAlsoWhenChunked() {
    String body =
        "{\"Id\":\"abc\",\"State\":{\"Status\":\"running\",\"Running\":true,\"Pid\":2222}}";
    String chunked =
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            + Integer.toHexString(10)
            + "\r\n"
            + body.substring(0, 10)
            + "\r\n"
            + Integer.toHexString(body.length() - 10)
            + "\r\n"
            + body.substring(10)
            + "\r\n0\r\n\r\n";
    assertThat(DockerEngine.fromResponse(chunked.getBytes(StandardCharsets.UTF_8)).pid())
        .isEqualTo(OptionalInt.of(2222));
  }

  @Test
  void dockerErrorsAreMissesWithTheirMessage() {
    String notFound =
        "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n\r\n{\"message\":\"No such container: x\"}";
    assertThat(DockerEngine.fromResponse(notFound.getBytes(StandardCharsets.UTF_8)).detail())
        .isEqualTo("HTTP 404: {\"message\":\"No such container: x\"}");
    String stopped = "HTTP/1.1 200 OK\r\n\r\n{\"State\":{\"Running\":false,\"Pid\":0}}";
    assertThat(DockerEngine.fromResponse(stopped.getBytes(StandardCharsets.UTF_8)).detail())
        .isEqualTo("container not running");
  }
}
