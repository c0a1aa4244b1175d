package dev.lambdacntr.agent.runtime;

import dev.lambdacntr.agent.runtime.wire.GrpcChannel;
import dev.lambdacntr.agent.runtime.wire.Proto;
import dev.lambdacntr.protocol.CntrException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * containerd's own API: {@code containerd.services.tasks.v1.Tasks/Get} names the PID of a
 * container's task. Containers live in containerd namespaces ({@code k8s.io} for Kubernetes): the
 * preferred ones are asked first, then every namespace containerd lists.
 */
public final class ContainerdTasks implements PidSource {
  private static final String TASKS_GET = "/containerd.services.tasks.v1.Tasks/Get";
  private static final String NAMESPACES_LIST =
      "/containerd.services.namespaces.v1.Namespaces/List";
  private static final long TASK_RUNNING = 2;

  private final Path socket;
  private final List<String> preferredNamespaces;
  private final Duration timeout;

  public ContainerdTasks(Path socket, List<String> preferredNamespaces, Duration timeout) {
    this.socket = socket;
    this.preferredNamespaces = List.copyOf(preferredNamespaces);
    this.timeout = timeout;
  }

  @Override
  public String name() {
    return "containerd API on " + socket;
  }

  @Override
  public Lookup find(String containerId) {
    try (GrpcChannel channel = GrpcChannel.connect(socket)) {
      Set<String> namespaces = new LinkedHashSet<>(preferredNamespaces);
      List<String> misses = new ArrayList<>();
      for (String namespace : namespaces) {
        Lookup lookup = get(channel, namespace, containerId, misses);
        if (lookup.pid().isPresent()) {
          return lookup;
        }
      }
      for (String namespace : listNamespaces(channel)) {
        if (namespaces.add(namespace)) {
          Lookup lookup = get(channel, namespace, containerId, misses);
          if (lookup.pid().isPresent()) {
            return lookup;
          }
        }
      }
      return Lookup.missed(
          "no task '"
              + containerId
              + "' in namespaces "
              + namespaces
              + " ("
              + String.join(", ", misses)
              + ")");
    } catch (CntrException e) {
      return Lookup.missed(e.getMessage());
    }
  }

  private Lookup get(GrpcChannel channel, String namespace, String id, List<String> misses) {
    byte[] request = new Proto.Writer().string(1, id).toByteArray();
    GrpcChannel.Reply reply =
        channel.call(TASKS_GET, Map.of("containerd-namespace", namespace), request, timeout);
    if (reply.status() != GrpcChannel.Reply.OK) {
      misses.add(namespace + ": " + reply.message());
      return Lookup.missed(reply.message());
    }
    byte[] process = Proto.field(reply.body(), 1).map(Proto.Field::bytes).orElse(new byte[0]);
    long pid = Proto.field(process, 3).map(Proto.Field::varint).orElse(0L);
    long status = Proto.field(process, 4).map(Proto.Field::varint).orElse(0L);
    if (pid <= 0 || status != TASK_RUNNING) {
      misses.add(namespace + ": task not running (status " + status + ")");
      return Lookup.missed("task not running");
    }
    return Lookup.found((int) pid);
  }

  private List<String> listNamespaces(GrpcChannel channel) {
    GrpcChannel.Reply reply = channel.call(NAMESPACES_LIST, Map.of(), new byte[0], timeout);
    List<String> names = new ArrayList<>();
    if (reply.status() == GrpcChannel.Reply.OK) {
      for (Proto.Field namespace : Proto.fields(reply.body())) {
        if (namespace.number() == 1) {
          Proto.field(namespace.bytes(), 1).ifPresent(name -> names.add(name.string()));
        }
      }
    }
    return names;
  }
}
