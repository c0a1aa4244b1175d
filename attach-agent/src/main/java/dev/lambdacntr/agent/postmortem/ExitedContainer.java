package dev.lambdacntr.agent.postmortem;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import java.io.IOException;
import java.util.Map;

/**
 * What the runtime still knows of a container that has exited: how it ended, where its log is, its
 * pod's sandbox, its root filesystem's snapshot and the OCI spec it ran with.
 *
 * @param id the container ID
 * @param name the container's name in its pod
 * @param attempt the kubelet's restart count of this run
 * @param exitCode its exit code
 * @param reason the runtime's reason ({@code Error}, {@code OOMKilled}, ...)
 * @param message the runtime's message, often empty
 * @param finishedAtNanos when it ended, nanoseconds since the epoch
 * @param logPath the kubelet's log file of this run, a path on the node
 * @param sandboxId the pod sandbox's container ID
 * @param snapshotter the snapshotter of its root filesystem
 * @param snapshotKey the snapshot of its root filesystem
 * @param spec what it ran as
 */
public record ExitedContainer(
    String id,
    String name,
    long attempt,
    int exitCode,
    String reason,
    String message,
    long finishedAtNanos,
    String logPath,
    String sandboxId,
    String snapshotter,
    String snapshotKey,
    RuntimeSpec spec) {

  /** The status's fields ({@code runtime.v1.ContainerStatus}) and the runtime's verbose info. */
  static ExitedContainer from(String id, WireMessage status, Map<String, String> info)
      throws IOException {
    long state = status.varint(3);
    if (state != RuntimeApi.EXITED) {
      throw new CntrException(
          ExitCode.AGENT_TARGET_NOT_FOUND,
          "container "
              + id
              + " has not exited (runtime state "
              + (state == 1 ? "running" : state == 0 ? "created" : "unknown")
              + "): a post-mortem session is for a container that has ended");
    }
    String verbose = info.getOrDefault("info", "");
    if (verbose.isEmpty()) {
      throw new CntrException(
          ExitCode.AGENT_RUNTIME_ERROR,
          "the container runtime gave no verbose information on container "
              + id
              + ": a post-mortem session needs containerd's (its snapshot and spec)");
    }
    JsonObject details;
    try {
      details = JsonParser.parseString(verbose).getAsJsonObject();
    } catch (JsonParseException | IllegalStateException e) {
      throw new CntrException(
          ExitCode.AGENT_RUNTIME_ERROR,
          "cannot read the runtime's verbose information on container " + id + ": " + e);
    }
    WireMessage metadata = status.message(2);
    return new ExitedContainer(
        id,
        metadata.string(1),
        metadata.varint(2),
        (int) status.varint(7),
        status.string(10),
        status.string(11),
        status.varint(6),
        status.string(15),
        text(details, "sandboxID", id),
        text(details, "snapshotter", id),
        text(details, "snapshotKey", id),
        RuntimeSpec.from(details.getAsJsonObject("runtimeSpec"), id));
  }

  private static String text(JsonObject details, String key, String id) {
    JsonElement value = details.get(key);
    if (value == null || !value.isJsonPrimitive() || value.getAsString().isEmpty()) {
      throw new CntrException(
          ExitCode.AGENT_RUNTIME_ERROR,
          "the runtime's verbose information on container " + id + " has no " + key);
    }
    return value.getAsString();
  }
}
