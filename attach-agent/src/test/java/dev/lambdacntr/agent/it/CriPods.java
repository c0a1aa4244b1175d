package dev.lambdacntr.agent.it;

import dev.lambdacntr.agent.runtime.wire.GrpcChannel;
import dev.lambdacntr.agent.runtime.wire.Proto;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Pods made through the harness containerd's CRI plugin, the way a kubelet makes them: a sandbox on
 * the host network (no CNI here), then a container in it.
 */
final class CriPods implements AutoCloseable {
  private static final String RUNTIME = "/runtime.v1.RuntimeService/";
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final int NODE_NAMESPACE = 2;

  private final GrpcChannel channel;
  private String sandboxId = "";

  CriPods(Path socket) {
    this.channel = GrpcChannel.connect(socket);
  }

  /** Starts a pod with one container of {@code image}; returns the container's ID. */
  String start(String podName, String image) {
    Proto.Writer sandboxConfig = sandboxConfig(podName);
    byte[] sandbox = call("RunPodSandbox", new Proto.Writer().message(1, sandboxConfig));
    sandboxId = Proto.field(sandbox, 1).orElseThrow().string();
    Proto.Writer containerConfig =
        new Proto.Writer()
            .message(1, new Proto.Writer().string(1, "app"))
            .message(2, new Proto.Writer().string(1, image));
    byte[] created =
        call(
            "CreateContainer",
            new Proto.Writer()
                .string(1, sandboxId)
                .message(2, containerConfig)
                .message(3, sandboxConfig));
    String containerId = Proto.field(created, 1).orElseThrow().string();
    call("StartContainer", new Proto.Writer().string(1, containerId));
    return containerId;
  }

  private static Proto.Writer sandboxConfig(String podName) {
    Proto.Writer metadata =
        new Proto.Writer().string(1, podName).string(2, podName + "-uid").string(3, "default");
    Proto.Writer namespaces = new Proto.Writer().uint(1, NODE_NAMESPACE);
    Proto.Writer linux = new Proto.Writer().message(2, new Proto.Writer().message(1, namespaces));
    return new Proto.Writer().message(1, metadata).message(8, linux);
  }

  private byte[] call(String method, Proto.Writer request) {
    GrpcChannel.Reply reply =
        channel.call(RUNTIME + method, Map.of(), request.toByteArray(), TIMEOUT);
    if (reply.status() != GrpcChannel.Reply.OK) {
      throw new IllegalStateException(
          "CRI " + method + ": " + reply.status() + " " + reply.message());
    }
    return reply.body();
  }

  @Override
  public void close() {
    if (!sandboxId.isEmpty()) {
      channel.call(
          RUNTIME + "StopPodSandbox",
          Map.of(),
          new Proto.Writer().string(1, sandboxId).toByteArray(),
          TIMEOUT);
      channel.call(
          RUNTIME + "RemovePodSandbox",
          Map.of(),
          new Proto.Writer().string(1, sandboxId).toByteArray(),
          TIMEOUT);
    }
    channel.close();
  }
}
