package dev.lambdacntr.agent.runtime;

import dev.lambdacntr.agent.runtime.wire.Proto;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Runs the runtime clients' code on canned replies and a socket that does not exist, so that an AOT
 * training run loads and links them without a runtime to talk to.
 */
public final class Rehearsal {
  private Rehearsal() {}

  public static void run() {
    byte[] status =
        new Proto.Writer()
            .message(1, new Proto.Writer().string(1, "id").uint(3, 1))
            .mapEntry(2, "info", "{\"pid\": 1, \"sandboxID\": \"x\"}")
            .toByteArray();
    CriRuntime.fromStatus(status);
    DockerEngine.fromResponse(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"State\":{\"Running\":true,\"Pid\":1}}"
            .getBytes(StandardCharsets.UTF_8));
    Path nowhere = Path.of("/run/lambda-cntr-aot-training/no.sock");
    new ContainerdTasks(nowhere, java.util.List.of("k8s.io"), Duration.ofMillis(100)).find("x");
    new CriRuntime(nowhere, Duration.ofMillis(100)).find("x");
    new DockerEngine(nowhere, Duration.ofMillis(100)).find("x");
    new CgroupScan(Path.of("/proc")).find("lambda-cntr-aot-training");
  }
}
