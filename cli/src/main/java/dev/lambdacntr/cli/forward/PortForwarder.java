package dev.lambdacntr.cli.forward;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.HttpClient;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Local listeners whose connections are carried to ports in a pod's network namespace through
 * {@code pods/portforward}: the API server hands each one to the kubelet, whose runtime dials
 * {@code localhost:PORT} inside the pod sandbox's network namespace. Any port works, declared or
 * not, including a debugger a session started on 127.0.0.1. One WebSocket per connection.
 *
 * <p>Why not fabric8's own {@code pods().withName(pod).portForward(port, address, localPort)}
 * (kubernetes-client 8.0.0, read in its classes' line tables; measured with
 * benchmarks/cluster/port-forward-throughput --fabric8):
 *
 * <ul>
 *   <li>It loses bytes going to the pod. {@code PortForwarderWebsocketListener.pipe} (line 222)
 *       ignores what {@code WebSocket.send} returns; with the JDK transport that send is refused
 *       while the previous frame is still being written (java.net.http allows one pending send), so
 *       under load a 4 KiB chunk is dropped and the stream goes on without it: 100 MiB sent through
 *       it did not arrive whole in 1 of 8 runs on the test bed (it had read all of it from the
 *       local socket; the digest never came). {@link ForwardedConnection} waits for the previous
 *       frame instead.
 *   <li>Its errors cannot be told as they come. The kubelet's error text ("... connection refused")
 *       becomes a {@code KubernetesClientException} added to a collection ({@code
 *       PortForwarderWebsocketListener.onMessage}, lines 124-129); {@code LocalPortForward} only
 *       offers the union over every connection so far ({@code getServerThrowables}, {@code
 *       PortForwarderWebsocket$1} line 132), to poll, with nothing saying which connection failed,
 *       and its list of connections only grows ({@code PortForwarderWebsocket} line 147) for the
 *       whole session. We tell each failure when it happens, turned into a sentence by {@link
 *       PodForwardErrors}.
 *   <li>One failed {@code accept} closes the whole forward, told only to SLF4J, which the CLI binds
 *       to nothing ({@code PortForwarderWebsocket} lines 148-152).
 * </ul>
 *
 * Several addresses ({@code --address}, {@code localhost} as 127.0.0.1 and ::1) and an ephemeral
 * local port shared by them would have been ours to do anyway: one {@code LocalPortForward} binds
 * one address.
 */
public final class PortForwarder implements AutoCloseable {

  /**
   * One forwarded port, listening.
   *
   * @param addresses the local addresses listened on
   * @param local the local port
   * @param remote the port in the pod
   */
  public record Listening(List<String> addresses, int local, int remote) {
    /** {@code 127.0.0.1:2345 -> 2345}. */
    public String describe() {
      return String.join(",", addresses.stream().map(a -> hostPort(a, local)).toList())
          + " -> "
          + remote;
    }
  }

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(15);

  private final HttpClient http;
  private final String podUrl;
  private final String podRef;
  private final Consumer<String> report;
  private final Consumer<String> detail;
  private final List<ServerSocket> servers = new ArrayList<>();
  private final List<Listening> listening = new ArrayList<>();
  private final Set<ForwardedConnection> connections = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  private PortForwarder(
      KubernetesClient client,
      String namespace,
      String pod,
      Consumer<String> report,
      Consumer<String> detail) {
    this.http = client.getHttpClient();
    String base = client.getConfiguration().getMasterUrl();
    this.podUrl =
        (base.endsWith("/") ? base : base + "/")
            + "api/v1/namespaces/"
            + encode(namespace)
            + "/pods/"
            + encode(pod)
            + "/portforward";
    this.podRef = namespace + "/" + pod;
    this.report = report;
    this.detail = detail;
  }

  /**
   * Listens on every mapping at {@code addresses} ({@code localhost} means 127.0.0.1 and, where the
   * machine has it, ::1) and forwards what connects. A port that cannot be bound is a usage error
   * naming it.
   *
   * @param report where failures of single connections are told (the forward goes on)
   * @param detail where each connection is told ({@code --verbose})
   */
  public static PortForwarder start(
      KubernetesClient client,
      String namespace,
      String pod,
      List<PortMapping> mappings,
      List<String> addresses,
      Consumer<String> report,
      Consumer<String> detail) {
    PortForwarder forwarder = new PortForwarder(client, namespace, pod, report, detail);
    try {
      for (PortMapping mapping : mappings) {
        forwarder.listen(mapping, addresses);
      }
    } catch (RuntimeException e) {
      forwarder.close();
      throw e;
    }
    return forwarder;
  }

  /** What listens, in the order of the mappings. */
  public List<Listening> listening() {
    return List.copyOf(listening);
  }

  private void listen(PortMapping mapping, List<String> addresses) {
    List<InetAddress> binds = resolve(addresses);
    int port = mapping.local();
    List<String> bound = new ArrayList<>();
    for (int i = 0; i < binds.size(); i++) {
      InetAddress address = binds.get(i);
      boolean optional = addresses.contains("localhost") && address.getAddress().length == 16;
      ServerSocket server;
      try {
        server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(address, port), 50);
      } catch (IOException e) {
        if (optional) {
          continue; // no IPv6 loopback here: 127.0.0.1 is enough for localhost
        }
        throw new CntrException(
            ExitCode.USAGE,
            "cannot listen on "
                + hostPort(address.getHostAddress(), port)
                + " for --port-forward "
                + mapping
                + ": "
                + (e instanceof BindException ? "address already in use or not local" : e),
            e);
      }
      port = server.getLocalPort();
      servers.add(server);
      bound.add(
          address.getAddress().length == 16 && address.isLoopbackAddress()
              ? "::1"
              : address.getHostAddress());
      ServerSocket accepting = server;
      int remote = mapping.remote();
      Thread.ofVirtual().name("lambda-cntr-forward-" + port).start(() -> accept(accepting, remote));
    }
    listening.add(new Listening(List.copyOf(bound), port, mapping.remote()));
  }

  private static List<InetAddress> resolve(List<String> addresses) {
    List<InetAddress> result = new ArrayList<>();
    for (String address : addresses) {
      try {
        if (address.equals("localhost")) {
          result.add(InetAddress.getByName("127.0.0.1"));
          result.add(InetAddress.getByName("::1"));
        } else {
          result.add(InetAddress.getByName(address));
        }
      } catch (UnknownHostException e) {
        throw new CntrException(
            ExitCode.USAGE, "--address " + address + ": not an address of this machine", e);
      }
    }
    return result;
  }

  private void accept(ServerSocket server, int remote) {
    while (!closed) {
      Socket socket;
      try {
        socket = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      String what =
          "port forward "
              + hostPort(socket.getLocalAddress().getHostAddress(), socket.getLocalPort())
              + " -> "
              + podRef
              + ":"
              + remote;
      detail.accept(
          what + ": connection from " + hostPort(socket.getInetAddress().getHostAddress(), 0));
      try {
        socket.setTcpNoDelay(true);
        ForwardedConnection connection =
            ForwardedConnection.open(http, uri(remote), socket, CONNECT_TIMEOUT, what, report);
        connections.add(connection);
        connection.closed().whenComplete((v, e) -> connections.remove(connection));
        if (closed) {
          connection.close();
        }
      } catch (IOException e) {
        report.accept(what + ": " + e.getMessage());
      }
    }
  }

  private URI uri(int remote) {
    String http = podUrl + "?ports=" + remote;
    String scheme = http.startsWith("https:") ? "wss" : "ws";
    return URI.create(scheme + http.substring(http.indexOf(':')));
  }

  /** Stops listening and ends every forwarded connection. */
  @Override
  public void close() {
    closed = true;
    for (ServerSocket server : servers) {
      try {
        server.close();
      } catch (IOException e) {
        // already closed
      }
    }
    connections.forEach(ForwardedConnection::close);
  }

  private static String hostPort(String host, int port) {
    String h = host.contains(":") ? "[" + host + "]" : host;
    return port == 0 ? h : h + ":" + port;
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
