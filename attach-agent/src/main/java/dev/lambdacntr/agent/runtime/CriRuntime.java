package dev.lambdacntr.agent.runtime;

import dev.lambdacntr.agent.runtime.wire.GrpcChannel;
import dev.lambdacntr.agent.runtime.wire.Proto;
import dev.lambdacntr.agent.runtime.wire.Wire;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.Json;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The Kubernetes Container Runtime Interface, as served by containerd's CRI plugin and CRI-O:
 * {@code RuntimeService/ContainerStatus} with {@code verbose} returns the runtime's info JSON,
 * which carries the container's PID. Asks CRI v1, then v1alpha2 for older runtimes.
 */
public final class CriRuntime implements PidSource {
  private static final String[] SERVICES = {
    "runtime.v1.RuntimeService", "runtime.v1alpha2.RuntimeService"
  };
  private static final long CONTAINER_RUNNING = 1;

  private final Path socket;
  private final Duration timeout;

  public CriRuntime(Path socket, Duration timeout) {
    this.socket = socket;
    this.timeout = timeout;
  }

  @Override
  public String name() {
    return "CRI on " + socket;
  }

  @Override
  public Lookup find(String containerId) {
    byte[] request = new Proto.Writer().string(1, containerId).bool(2, true).toByteArray();
    try (GrpcChannel channel = GrpcChannel.connect(socket)) {
      String lastMiss = "";
      for (String service : SERVICES) {
        GrpcChannel.Reply reply =
            channel.call("/" + service + "/ContainerStatus", Map.of(), request, timeout);
        if (reply.status() == GrpcChannel.Reply.UNIMPLEMENTED) {
          lastMiss = service + " not served";
          continue;
        }
        if (reply.status() != GrpcChannel.Reply.OK) {
          return Lookup.missed("ContainerStatus: " + reply.message());
        }
        return fromStatus(reply.body());
      }
      return Lookup.missed(lastMiss);
    } catch (CntrException e) {
      return Lookup.missed(e.getMessage());
    }
  }

  static Lookup fromStatus(byte[] response) {
    byte[] status = Proto.field(response, 1).map(Proto.Field::bytes).orElse(new byte[0]);
    long state = Proto.field(status, 3).map(Proto.Field::varint).orElse(0L);
    if (state != CONTAINER_RUNNING) {
      return Lookup.missed("container not running (CRI state " + state + ")");
    }
    for (Proto.Field entry : Proto.fields(response)) {
      if (entry.number() != 2) {
        continue;
      }
      String key = Proto.field(entry.bytes(), 1).map(Proto.Field::string).orElse("");
      String value = Proto.field(entry.bytes(), 2).map(Proto.Field::string).orElse("");
      if (key.equals("info")) {
        Optional<Object> pid = Json.path(Wire.json(value), "pid");
        if (pid.isPresent() && pid.get() instanceof Long p && p > 0) {
          return Lookup.found(p.intValue());
        }
        return Lookup.missed("no pid in the runtime's verbose info");
      }
    }
    return Lookup.missed("no verbose info in ContainerStatus");
  }
}
