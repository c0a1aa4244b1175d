package dev.lambdacntr.cli.forward;

import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.WebSocket;
import io.fabric8.kubernetes.client.http.WebSocketHandshakeException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * One local TCP connection carried to a port in the pod's network namespace over a {@code
 * pods/portforward} WebSocket ({@code v4.channel.k8s.io}): channel 0 carries the data both ways,
 * channel 1 the server's error text; the server starts each channel with the port number (two
 * bytes, little endian). The protocol has no half-close: the end of either side ends both.
 */
final class ForwardedConnection implements WebSocket.Listener {

  static final String PROTOCOL = "v4.channel.k8s.io";

  private static final int DATA = 0;
  private static final int ERROR = 1;
  private static final int BUFFER = 32 * 1024;
  private static final long SEND_POLL_NANOS = 50_000;

  private final Socket local;
  private final OutputStream toLocal;
  private final String what;
  private final Consumer<String> report;
  private final int[] portBytesLeft = {2, 2};
  private final ByteArrayOutputStream error = new ByteArrayOutputStream();
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  private volatile WebSocket socket;

  private ForwardedConnection(Socket local, String what, Consumer<String> report)
      throws IOException {
    this.local = local;
    this.toLocal = local.getOutputStream();
    this.what = what;
    this.report = report;
  }

  /**
   * Opens the WebSocket for {@code local} and starts carrying bytes; returns at once. A refused
   * handshake or an error from the pod is reported (prefixed with {@code what}) and closes the
   * local connection.
   */
  static ForwardedConnection open(
      HttpClient http,
      URI uri,
      Socket local,
      Duration timeout,
      String what,
      Consumer<String> report)
      throws IOException {
    ForwardedConnection connection = new ForwardedConnection(local, what, report);
    CompletableFuture<WebSocket> started =
        http.newWebSocketBuilder()
            .uri(uri)
            .subprotocol(PROTOCOL)
            .connectTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
            .buildAsync(connection);
    try {
      connection.socket = started.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      connection.closeLocal();
      throw new IOException("interrupted while opening " + what, e);
    } catch (TimeoutException e) {
      started.cancel(true);
      connection.fail("the API server did not answer within " + timeout.toSeconds() + "s");
      return connection;
    } catch (ExecutionException e) {
      connection.fail(refusal(e.getCause()));
      return connection;
    }
    Thread.ofVirtual().name("lambda-cntr-forward-out").start(connection::pumpToPod);
    return connection;
  }

  private static String refusal(Throwable cause) {
    if (cause instanceof WebSocketHandshakeException h) {
      int code = h.getResponse().code();
      String message = h.getCause() == null ? "" : ": " + h.getCause().getMessage();
      if (code == 403) {
        return "forbidden: RBAC denies verb 'create' on resource 'pods/portforward'" + message;
      }
      return "the API server refused the port forward: HTTP " + code + message;
    }
    return "cannot open the port forward: " + cause;
  }

  /** Completes when both sides are closed. */
  CompletableFuture<Void> closed() {
    return closed;
  }

  /** Ends the connection from our side. */
  void close() {
    WebSocket ws = socket;
    if (ws != null) {
      ws.sendClose(1000, "closed by lambda-cntr");
    }
    closeLocal();
  }

  private void pumpToPod() {
    byte[] buffer = new byte[BUFFER + 1];
    try (InputStream in = local.getInputStream()) {
      int n;
      while ((n = in.read(buffer, 1, BUFFER)) >= 0) {
        if (n > 0 && !send(buffer, n)) {
          break;
        }
      }
    } catch (IOException e) {
      // the local side is gone, or we closed it: end the forward
    } finally {
      WebSocket ws = socket;
      if (ws != null && !closed.isDone()) {
        ws.sendClose(1000, "local connection closed");
      }
    }
  }

  /**
   * Sends one frame once the previous one is written: the JDK transport takes one frame at a time
   * (a second is refused while one is pending: "Send pending" in java.net.http's WebSocketImpl),
   * and its {@code queueSize()} counts the bytes not yet written. Waiting here is the backpressure:
   * the local socket is not read while the API server is slow to take what was read.
   *
   * @return false when the connection is over (closed, or the frame refused: then told)
   */
  private boolean send(byte[] buffer, int length) throws IOException {
    WebSocket ws = socket;
    while (ws.queueSize() > 0 && !closed.isDone()) {
      LockSupport.parkNanos(SEND_POLL_NANOS);
      if (Thread.currentThread().isInterrupted()) {
        throw new IOException("interrupted while waiting to send");
      }
    }
    if (closed.isDone()) {
      return false;
    }
    buffer[0] = DATA;
    if (!ws.send(ByteBuffer.wrap(buffer, 0, length + 1))) {
      fail("connection to the API server lost while sending");
      return false;
    }
    return true;
  }

  @Override
  public void onMessage(WebSocket ws, ByteBuffer bytes) {
    if (bytes.remaining() > 0) {
      int channel = bytes.get() & 0xff;
      if (channel == DATA || channel == ERROR) {
        int skip = Math.min(portBytesLeft[channel], bytes.remaining());
        bytes.position(bytes.position() + skip);
        portBytesLeft[channel] -= skip;
      }
      if (channel == DATA && bytes.hasRemaining()) {
        try {
          if (bytes.hasArray()) {
            toLocal.write(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
          } else {
            byte[] chunk = new byte[bytes.remaining()];
            bytes.get(chunk);
            toLocal.write(chunk);
          }
          toLocal.flush();
        } catch (IOException e) {
          ws.sendClose(1000, "local connection closed");
          closeLocal();
          return;
        }
      } else if (channel == ERROR && bytes.hasRemaining()) {
        byte[] text = new byte[bytes.remaining()];
        bytes.get(text);
        error.writeBytes(text);
      }
    }
    ws.request();
  }

  @Override
  public void onMessage(WebSocket ws, String text) {
    onMessage(ws, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
  }

  @Override
  public void onClose(WebSocket ws, int code, String reason) {
    if (error.size() > 0) {
      report.accept(what + ": " + PodForwardErrors.explain(error.toString(StandardCharsets.UTF_8)));
    }
    closeLocal();
  }

  @Override
  public void onError(WebSocket ws, Throwable failure) {
    fail("connection to the API server lost: " + failure.getMessage());
  }

  private void fail(String why) {
    report.accept(what + ": " + why);
    closeLocal();
  }

  private void closeLocal() {
    try {
      local.close();
    } catch (IOException e) {
      // already closed
    }
    closed.complete(null);
  }
}
