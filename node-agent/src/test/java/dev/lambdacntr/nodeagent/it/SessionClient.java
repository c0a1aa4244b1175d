package dev.lambdacntr.nodeagent.it;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's side of a session, as the gateway relays it: a WebSocket to the node agent with
 * {@code v5.channel.k8s.io}, a client certificate (or none), messages per channel.
 */
final class SessionClient implements AutoCloseable {
  private final Vertx vertx = Vertx.vertx();
  private final WebSocketClient client;
  private final int port;

  /**
   * @param clientCert the client's certificate and key, or empty for none
   * @param serverCa the CA the node agent's certificate must chain to
   */
  SessionClient(int port, Optional<Path[]> clientCert, Path serverCa) {
    this.port = port;
    WebSocketClientOptions options =
        new WebSocketClientOptions()
            .setSsl(true)
            .setVerifyHost(true)
            .setTrustOptions(new PemTrustOptions().addCertPath(serverCa.toString()));
    clientCert.ifPresent(
        pair ->
            options.setKeyCertOptions(
                new PemKeyCertOptions()
                    .setCertPath(pair[0].toString())
                    .setKeyPath(pair[1].toString())));
    client = vertx.createWebSocketClient(options);
  }

  /** What a session sent back: the bytes of stdout and stderr, the status JSON. */
  record Outcome(String stdout, String stderr, String status) {}

  /** An open session: send input, wait for the end. */
  final class Session {
    final WebSocket socket;
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private final StringBuilder status = new StringBuilder();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();

    Session(WebSocket socket) {
      this.socket = socket;
      socket.binaryMessageHandler(
          message -> {
            byte[] bytes = message.getBytes();
            synchronized (this) {
              switch (bytes[0]) {
                case 1 -> stdout.write(bytes, 1, bytes.length - 1);
                case 2 -> stderr.write(bytes, 1, bytes.length - 1);
                case 3 ->
                    status.append(new String(bytes, 1, bytes.length - 1, StandardCharsets.UTF_8));
                default -> throw new AssertionError("message on channel " + bytes[0]);
              }
            }
          });
      socket.closeHandler(v -> closed.complete(null));
    }

    void send(int channel, String text) {
      byte[] data = text.getBytes(StandardCharsets.UTF_8);
      byte[] message = new byte[data.length + 1];
      message[0] = (byte) channel;
      System.arraycopy(data, 0, message, 1, data.length);
      await(socket.writeBinaryMessage(Buffer.buffer(message)));
    }

    /** v5's close message: the input of {@code channel} ended. */
    void endInput() {
      await(socket.writeBinaryMessage(Buffer.buffer(new byte[] {(byte) 255, 0})));
    }

    synchronized String stdoutSoFar() {
      return stdout.toString(StandardCharsets.UTF_8);
    }

    Outcome awaitEnd() {
      try {
        closed.get(60, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new AssertionError("the session did not end within 60 s: " + stdoutSoFar(), e);
      }
      synchronized (this) {
        return new Outcome(
            stdout.toString(StandardCharsets.UTF_8),
            stderr.toString(StandardCharsets.UTF_8),
            status.toString());
      }
    }
  }

  Future<WebSocket> connect(String query) {
    return client.connect(
        new WebSocketConnectOptions()
            .setHost("127.0.0.1")
            .setPort(port)
            .setSsl(true)
            .setURI("/v1/sessions?" + query)
            .setSubProtocols(List.of("v5.channel.k8s.io")));
  }

  /**
   * The session's handlers are set on the event loop as the upgrade completes: set later, on the
   * test's thread, they missed what an agent that refuses at once sends before it closes.
   */
  Session open(String query) {
    return await(connect(query).map(Session::new));
  }

  static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    await(vertx.close());
  }
}
