package dev.lambdacntr.agent.postmortem;

import com.google.protobuf.CodedOutputStream;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import io.grpc.CallOptions;
import io.grpc.ClientInterceptors;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The container runtime's gRPC API on its Unix socket, for the two questions a post-mortem session
 * asks: the CRI's verbose status of an exited container (exit code, reason, log, sandbox, snapshot
 * and OCI spec) and containerd's mounts of its snapshot. grpc-java (Netty, shaded) carries the
 * calls; the few fields are read with protobuf-java's wire format ({@link WireMessage}).
 */
public final class RuntimeApi implements AutoCloseable {
  /** The CRI's and containerd's namespace of Kubernetes' containers. */
  private static final String KUBERNETES_NAMESPACE = "k8s.io";

  private static final Metadata.Key<String> NAMESPACE_HEADER =
      Metadata.Key.of("containerd-namespace", Metadata.ASCII_STRING_MARSHALLER);

  private static final MethodDescriptor<byte[], byte[]> CONTAINER_STATUS =
      unary("runtime.v1.RuntimeService/ContainerStatus");
  private static final MethodDescriptor<byte[], byte[]> LIST_CONTAINERS =
      unary("runtime.v1.RuntimeService/ListContainers");

  /** The kubelet's labels on every container it makes: its pod's UID and its own name. */
  static final String POD_UID_LABEL = "io.kubernetes.pod.uid";

  static final String CONTAINER_NAME_LABEL = "io.kubernetes.container.name";

  /** The CRI's {@code CONTAINER_EXITED}. */
  static final long EXITED = 2;

  private static final MethodDescriptor<byte[], byte[]> SNAPSHOT_MOUNTS =
      unary("containerd.services.snapshots.v1.Snapshots/Mounts");

  private static final long DEADLINE_SECONDS = 10;

  /**
   * gRPC logs through java.util.logging, to the session's stderr: only what is severe (its Netty
   * warns that a Unix socket has no SO_KEEPALIVE, at every connection). Held, so that the level
   * stays with the logger.
   */
  private static final Logger GRPC_LOG = Logger.getLogger("io.grpc");

  static {
    GRPC_LOG.setLevel(Level.SEVERE);
  }

  private final String socket;
  private final ManagedChannel channel;
  private final io.grpc.Channel namespaced;

  private RuntimeApi(String socket, ManagedChannel channel) {
    this.socket = socket;
    this.channel = channel;
    Metadata headers = new Metadata();
    headers.put(NAMESPACE_HEADER, KUBERNETES_NAMESPACE);
    this.namespaced =
        ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  /** A client of the runtime listening on {@code socket} (a path the agent can reach). */
  public static RuntimeApi connect(String socket) {
    ManagedChannel channel =
        Grpc.newChannelBuilder("unix://" + socket, InsecureChannelCredentials.create())
            .directExecutor()
            .build();
    return new RuntimeApi(socket, channel);
  }

  /** A snapshot's mount, as containerd describes it ({@code containerd.types.Mount}). */
  public record Mount(String type, String source, List<String> options) {
    public Mount {
      options = List.copyOf(options);
    }
  }

  /**
   * The CRI's status of container {@code id}, with the runtime's verbose information; empty when
   * the runtime no longer has it.
   */
  public Optional<ExitedContainer> status(String id) {
    byte[] request =
        encode(
            out -> {
              out.writeString(1, id);
              out.writeBool(2, true);
            });
    Optional<byte[]> reply =
        callIfFound(CONTAINER_STATUS, request, "the status of container " + id);
    if (reply.isEmpty()) {
      return Optional.empty();
    }
    try {
      WireMessage response = WireMessage.parse(reply.get());
      return Optional.of(ExitedContainer.from(id, response.message(1), response.stringMap(2)));
    } catch (IOException e) {
      throw new CntrException(
          ExitCode.AGENT_RUNTIME_ERROR,
          "cannot read the runtime's status of container " + id + ": " + e.getMessage());
    }
  }

  /**
   * The ID of the newest ended run (highest attempt, then latest creation) of container {@code
   * name} of pod {@code podUid}, by the kubelet's labels; empty when the runtime has none.
   */
  public Optional<String> newestEnded(String podUid, String name) {
    byte[] request =
        encode(
            out ->
                out.writeByteArray(
                    1, listFilter(Map.of(POD_UID_LABEL, podUid, CONTAINER_NAME_LABEL, name))));
    byte[] reply =
        callIfFound(LIST_CONTAINERS, request, "the ended runs of container " + name)
            .orElse(new byte[0]);
    try {
      return newestOf(WireMessage.parse(reply).messages(1));
    } catch (IOException e) {
      throw new CntrException(
          ExitCode.AGENT_RUNTIME_ERROR,
          "cannot read the runtime's list of the ended runs of container "
              + name
              + ": "
              + e.getMessage());
    }
  }

  /** A {@code runtime.v1.ContainerFilter} of exited containers with {@code labels}. */
  static byte[] listFilter(Map<String, String> labels) {
    return encode(
        out -> {
          out.writeByteArray(2, encode(state -> state.writeEnum(1, (int) EXITED)));
          for (Map.Entry<String, String> label : new TreeMap<>(labels).entrySet()) {
            out.writeByteArray(
                4,
                encode(
                    entry -> {
                      entry.writeString(1, label.getKey());
                      entry.writeString(2, label.getValue());
                    }));
          }
        });
  }

  /** The newest of {@code runtime.v1.Container}s by attempt, then creation time. */
  static Optional<String> newestOf(List<WireMessage> containers) throws IOException {
    String newest = null;
    long attempt = -1;
    long created = Long.MIN_VALUE;
    for (WireMessage container : containers) {
      long thisAttempt = container.message(3).varint(2);
      long thisCreated = container.varint(7);
      if (thisAttempt > attempt || (thisAttempt == attempt && thisCreated > created)) {
        newest = container.string(1);
        attempt = thisAttempt;
        created = thisCreated;
      }
    }
    return Optional.ofNullable(newest).filter(id -> !id.isEmpty());
  }

  /**
   * The mounts that make snapshot {@code key} of {@code snapshotter} a root filesystem; empty when
   * the runtime no longer has it.
   */
  public Optional<List<Mount>> mounts(String snapshotter, String key) {
    byte[] request =
        encode(
            out -> {
              out.writeString(1, snapshotter);
              out.writeString(2, key);
            });
    Optional<byte[]> reply = callIfFound(SNAPSHOT_MOUNTS, request, "the mounts of snapshot " + key);
    if (reply.isEmpty()) {
      return Optional.empty();
    }
    try {
      List<Mount> mounts = new ArrayList<>();
      for (WireMessage mount : WireMessage.parse(reply.get()).messages(1)) {
        mounts.add(new Mount(mount.string(1), mount.string(2), mount.strings(4)));
      }
      return Optional.of(mounts);
    } catch (IOException e) {
      throw new CntrException(
          ExitCode.AGENT_RUNTIME_ERROR,
          "cannot read the runtime's mounts of snapshot " + key + ": " + e.getMessage());
    }
  }

  /** The reply to a unary call; empty when the runtime answers NOT_FOUND. */
  private Optional<byte[]> callIfFound(
      MethodDescriptor<byte[], byte[]> method, byte[] request, String what) {
    try {
      return Optional.of(
          ClientCalls.blockingUnaryCall(
              namespaced,
              method,
              CallOptions.DEFAULT.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS),
              request));
    } catch (StatusRuntimeException e) {
      Status.Code code = e.getStatus().getCode();
      if (code == Status.Code.NOT_FOUND) {
        return Optional.empty();
      }
      String detail = e.getStatus().getDescription();
      String message =
          "the container runtime at "
              + socket
              + " did not give "
              + what
              + ": "
              + code
              + (detail == null ? "" : " (" + detail + ")");
      throw new CntrException(ExitCode.AGENT_RUNTIME_ERROR, message, e);
    }
  }

  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  interface Fields {
    void write(CodedOutputStream out) throws IOException;
  }

  static byte[] encode(Fields fields) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    try {
      fields.write(out);
      out.flush();
    } catch (IOException e) {
      throw new IllegalStateException("a request to an in-memory buffer failed", e);
    }
    return bytes.toByteArray();
  }

  private static MethodDescriptor<byte[], byte[]> unary(String name) {
    return MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(name)
        .setRequestMarshaller(RawBytes.INSTANCE)
        .setResponseMarshaller(RawBytes.INSTANCE)
        .build();
  }

  /** A message's bytes as they are: encoded and read by {@link WireMessage}'s callers. */
  private enum RawBytes implements MethodDescriptor.Marshaller<byte[]> {
    INSTANCE;

    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw Status.INTERNAL.withDescription(e.getMessage()).withCause(e).asRuntimeException();
      }
    }
  }
}
