package dev.lambdacntr.cli.exec;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import dev.lambdacntr.protocol.StdinFrames;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.WebSocket;
import io.fabric8.kubernetes.client.http.WebSocketHandshakeException;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One {@code pods/exec} session over a WebSocket, speaking the Kubernetes channel protocol itself
 * so that stdin can be closed: {@code v5.channel.k8s.io} (Kubernetes 1.30+) has a close signal, so
 * a piped stream's end reaches the remote process as EOF; {@code v4.channel.k8s.io}, the fallback
 * for older servers, cannot say that. Every byte is passed through unchanged.
 *
 * <p>Frames carry a channel byte first: 0 stdin, 1 stdout, 2 stderr, 3 the final {@code Status}, 4
 * terminal size, 255 close (v5, followed by the channel closed).
 */
public final class ExecStream implements WebSocket.Listener, AutoCloseable {

  public static final String V5 = "v5.channel.k8s.io";
  public static final String V4 = "v4.channel.k8s.io";

  static final int STDIN = 0;
  static final int STDOUT = 1;
  static final int STDERR = 2;
  static final int ERROR = 3;
  static final int RESIZE = 4;
  static final int CLOSE = 255;

  private static final long SEND_POLL_NANOS = 50_000;
  private static final int MAX_REFUSALS = 20_000;

  private final OutputStream stdout;
  private final OutputStream stderr;
  private final Function<String, Status> statusReader;
  private final boolean closeSignal;
  private final ByteArrayOutputStream status = new ByteArrayOutputStream();
  private final CompletableFuture<ExecOutcome> outcome = new CompletableFuture<>();
  private volatile WebSocket socket;
  private volatile boolean framedStdin;

  private ExecStream(
      OutputStream stdout,
      OutputStream stderr,
      Function<String, Status> statusReader,
      boolean closeSignal) {
    this.stdout = stdout;
    this.stderr = stderr;
    this.statusReader = statusReader;
    this.closeSignal = closeSignal;
  }

  /**
   * Opens the session, preferring v5 and falling back to v4 when the server refuses it.
   *
   * @param what names the target in error messages ("agent pod lambda-cntr/x")
   */
  public static ExecStream open(
      HttpClient http,
      KubernetesSerialization serialization,
      URI uri,
      OutputStream stdout,
      OutputStream stderr,
      Duration timeout,
      String what) {
    return open(
        http,
        json -> serialization.unmarshal(json, Status.class),
        uri,
        stdout,
        stderr,
        timeout,
        what);
  }

  /**
   * Opens the session as {@link #open(HttpClient, KubernetesSerialization, URI, OutputStream,
   * OutputStream, Duration, String)} does, reading the final {@code Status} with {@code
   * statusReader} (direct requests read it without a data-binding library).
   */
  public static ExecStream open(
      HttpClient http,
      Function<String, Status> statusReader,
      URI uri,
      OutputStream stdout,
      OutputStream stderr,
      Duration timeout,
      String what) {
    try {
      return connect(http, statusReader, uri, stdout, stderr, timeout, V5, what);
    } catch (HandshakeRefused e) {
      // the gateway speaks v5 only: its refusal (a Status with our exit code) is the answer
      if (e.fromGateway
          || (e.code != 400 && !e.getMessage().toLowerCase(Locale.ROOT).contains("protocol"))) {
        throw e.failure;
      }
    }
    try {
      return connect(http, statusReader, uri, stdout, stderr, timeout, V4, what);
    } catch (HandshakeRefused e) {
      throw e.failure;
    }
  }

  private static ExecStream connect(
      HttpClient http,
      Function<String, Status> statusReader,
      URI uri,
      OutputStream stdout,
      OutputStream stderr,
      Duration timeout,
      String protocol,
      String what) {
    ExecStream stream = new ExecStream(stdout, stderr, statusReader, protocol.equals(V5));
    CompletableFuture<WebSocket> started =
        http.newWebSocketBuilder()
            .uri(uri)
            .subprotocol(protocol)
            .connectTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
            .buildAsync(stream);
    try {
      stream.socket = started.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return stream;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CntrException(ExitCode.INTERNAL, "interrupted while connecting to " + what, e);
    } catch (TimeoutException e) {
      started.cancel(true);
      throw new CntrException(
          ExitCode.TIMEOUT, "exec into " + what + " not answered within " + timeout, e);
    } catch (ExecutionException e) {
      throw refusal(e.getCause(), statusReader, uri, what, () -> refusalBody(http, uri));
    }
  }

  private static RuntimeException refusal(
      Throwable cause,
      Function<String, Status> statusReader,
      URI uri,
      String what,
      Supplier<String> refetched) {
    if (cause instanceof WebSocketHandshakeException h) {
      int code = h.getResponse().code();
      String message = handshakeMessage(h);
      String body = body(h);
      Optional<CntrException> gateway = GatewayRefusal.of(code, body, statusReader);
      if (gateway.isEmpty()) {
        String again = refetched.get();
        gateway =
            GatewayRefusal.of(code, again, statusReader)
                .or(() -> GatewayRefusal.ofApiServer(code, again, statusReader));
      }
      if (gateway.isPresent()) {
        return new HandshakeRefused(code, gateway.get(), true);
      }
      ExitCode exit =
          switch (code) {
            case 401 -> ExitCode.UNAUTHENTICATED;
            case 403 -> ExitCode.FORBIDDEN;
            case 414 -> ExitCode.USAGE;
            default -> ExitCode.AGENT_FAILED;
          };
      String text =
          code == 414
              ? "the session's request into "
                  + what
                  + " is too long (HTTP 414: the command travels in the URL, "
                  + uri.toString().length()
                  + " characters): shorten the command"
              : code == 403
                  ? "forbidden: cannot create pods/exec for "
                      + what
                      + " (RBAC denies verb 'create' on resource 'pods/exec'): "
                      + message
                  : "exec into " + what + " refused: HTTP " + code + ": " + message;
      return new HandshakeRefused(code, new CntrException(exit, text, h), false);
    }
    if (unreachable(cause)) {
      return new CntrException(
          ExitCode.CLUSTER_UNREACHABLE,
          "cannot reach the Kubernetes API server at "
              + uri.getScheme().replaceFirst("^ws", "http")
              + "://"
              + uri.getRawAuthority()
              + " (open a session into "
              + what
              + "): "
              + cause,
          cause);
    }
    return new CntrException(
        ExitCode.SESSION_LOST, "cannot open exec session into " + what + ": " + cause, cause);
  }

  /**
   * The gateway's refusal once more, as a plain GET of the same URL: the handshake's response body
   * does not reach us through the client library, and the gateway refuses before anything is
   * started or recorded, so the same request gets the same Status. Only for the gateway's URLs;
   * null when there is nothing to read.
   */
  private static String refusalBody(HttpClient http, URI uri) {
    if (!uri.getPath().startsWith(GatewayRequest.DISCOVERY + "/")) {
      return null;
    }
    URI plain = URI.create(uri.toString().replaceFirst("^ws", "http"));
    try {
      return http.sendAsync(http.newHttpRequestBuilder().uri(plain).build(), String.class)
          .get(10, TimeUnit.SECONDS)
          .body();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      return null;
    }
  }

  /** The refusal's body (a v1 Status from the API server or the gateway), when there is one. */
  private static String body(WebSocketHandshakeException h) {
    Object body = h.getResponse().body();
    if (body == null && h.getCause() instanceof java.net.http.WebSocketHandshakeException jdk) {
      body = jdk.getResponse().body();
    }
    if (body instanceof String text) {
      return text;
    }
    if (body instanceof byte[] bytes) {
      return new String(bytes, StandardCharsets.UTF_8);
    }
    return handshakeMessage(h);
  }

  private static String handshakeMessage(WebSocketHandshakeException h) {
    Throwable t = h.getCause();
    String message = t == null ? null : t.getMessage();
    return message == null ? "no message" : message;
  }

  /**
   * Sends stdin in {@link StdinFrames} from here on, as the agent's {@code --framed-stdin} reads
   * it: the end of the input is then a frame, on v4 as on v5, and the stream stays open until this
   * process ends, which is how the agent learns that the CLI is gone.
   */
  public void frameStdin() {
    framedStdin = true;
  }

  /** Sends stdin bytes, waiting while too much is queued (the remote side reads slowly). */
  public void writeStdin(byte[] data, int offset, int length) throws IOException {
    if (framedStdin) {
      byte[] frame = StdinFrames.frame(data, offset, length);
      send(STDIN, frame, 0, frame.length);
    } else {
      send(STDIN, data, offset, length);
    }
  }

  /** Tells the remote process its stdin ended (framed, or v5); a no-op on plain v4. */
  public void closeStdin() throws IOException {
    if (framedStdin) {
      byte[] end = StdinFrames.end();
      send(STDIN, end, 0, end.length);
    } else if (closeSignal) {
      send(CLOSE, new byte[] {STDIN}, 0, 1);
    }
  }

  /** Whether {@link #closeStdin} reaches the remote process. */
  public boolean canCloseStdin() {
    return framedStdin || closeSignal;
  }

  /** Forwards the local terminal's size. */
  public void resize(int columns, int rows) throws IOException {
    byte[] json =
        ("{\"Width\":" + columns + ",\"Height\":" + rows + "}").getBytes(StandardCharsets.UTF_8);
    send(RESIZE, json, 0, json.length);
  }

  /**
   * Sends one frame once the previous one is written. The JDK transport takes one frame at a time:
   * a second is refused while one is pending ("Send pending" in java.net.http's WebSocketImpl, seen
   * by fabric8's adapter as {@code send} returning false), and {@code queueSize()} counts the bytes
   * not yet written. Waiting here is the backpressure. Before this, frames were sent while up to 1
   * MiB was queued: a producer faster than the connection (cp with C2) had a frame refused and its
   * input cut short (300 MB of stdin stopped after 79 MB).
   */
  private synchronized void send(int channel, byte[] data, int offset, int length)
      throws IOException {
    WebSocket ws = socket;
    ByteBuffer frame = ByteBuffer.allocate(length + 1);
    frame.put((byte) channel).put(data, offset, length).flip();
    for (int refused = 0; ; refused++) {
      while (ws.queueSize() > 0 && !outcome.isDone()) {
        LockSupport.parkNanos(SEND_POLL_NANOS);
        if (Thread.currentThread().isInterrupted()) {
          throw new IOException("interrupted while sending to the exec session");
        }
      }
      if (outcome.isDone()) {
        throw new IOException("exec session ended");
      }
      if (ws.send(frame.duplicate())) {
        return;
      }
      // refused: still pending for an instant after queueSize() fell to 0, or closed
      if (refused == MAX_REFUSALS) {
        throw new IOException("exec session closed");
      }
      LockSupport.parkNanos(SEND_POLL_NANOS);
    }
  }

  /** Waits for the remote process to end. */
  public ExecOutcome await() {
    try {
      return outcome.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CntrException(ExitCode.SESSION_LOST, "interrupted while in the session", e);
    } catch (ExecutionException e) {
      throw new CntrException(
          ExitCode.SESSION_LOST, "session lost: " + e.getCause().getMessage(), e.getCause());
    }
  }

  /** The outcome, as a future. */
  public CompletableFuture<ExecOutcome> outcome() {
    return outcome;
  }

  @Override
  public void onMessage(WebSocket ws, ByteBuffer bytes) {
    try {
      if (bytes.remaining() > 0) {
        int channel = bytes.get() & 0xff;
        switch (channel) {
          case STDOUT -> write(stdout, bytes);
          case STDERR -> write(stderr, bytes);
          case ERROR -> {
            byte[] chunk = new byte[bytes.remaining()];
            bytes.get(chunk);
            status.writeBytes(chunk);
          }
          default -> {
            // other channels carry nothing for a client
          }
        }
      }
    } catch (IOException e) {
      outcome.completeExceptionally(
          new UncheckedIOException("cannot write the session's output: " + e.getMessage(), e));
      ws.sendClose(1000, "local output closed");
      return;
    }
    ws.request();
  }

  @Override
  public void onMessage(WebSocket ws, String text) {
    onMessage(ws, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
  }

  private static void write(OutputStream out, ByteBuffer bytes) throws IOException {
    if (bytes.hasArray()) {
      out.write(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
    } else {
      byte[] chunk = new byte[bytes.remaining()];
      bytes.get(chunk);
      out.write(chunk);
    }
    out.flush();
  }

  @Override
  public void onClose(WebSocket ws, int code, String reason) {
    if (status.size() > 0) {
      try {
        Status s = statusReader.apply(status.toString(StandardCharsets.UTF_8));
        outcome.complete(ExecOutcome.of(s));
      } catch (RuntimeException e) {
        outcome.complete(
            ExecOutcome.failed(
                "unreadable exit status: " + status.toString(StandardCharsets.UTF_8)));
      }
    } else {
      outcome.completeExceptionally(
          new IOException(
              "connection closed without an exit status (WebSocket close "
                  + code
                  + " "
                  + reason
                  + ")"));
    }
  }

  @Override
  public void onError(WebSocket ws, Throwable error) {
    outcome.completeExceptionally(error);
  }

  @Override
  public void close() {
    WebSocket ws = socket;
    if (ws != null && !outcome.isDone()) {
      ws.sendClose(1000, "client done");
    }
  }

  /** A refused handshake, kept apart so {@link #open} can retry with the older protocol. */
  /** Whether the session could not even reach the API server (no connection, no such host). */
  static boolean unreachable(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof java.net.ConnectException
          || t instanceof java.net.UnknownHostException
          || t instanceof java.net.http.HttpConnectTimeoutException) {
        return true;
      }
    }
    return false;
  }

  private static final class HandshakeRefused extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int code;
    private final transient CntrException failure;
    private final boolean fromGateway;

    HandshakeRefused(int code, CntrException failure, boolean fromGateway) {
      super(failure.getMessage(), failure);
      this.code = code;
      this.failure = failure;
      this.fromGateway = fromGateway;
    }
  }
}
