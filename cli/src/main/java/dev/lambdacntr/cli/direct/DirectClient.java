package dev.lambdacntr.cli.direct;

import dev.lambdacntr.cli.kube.ClosingHttpClientFactory;
import dev.lambdacntr.protocol.Json;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The API server reached with the kubeconfig's credentials over the JDK's HttpClient, without the
 * client library's configuration, serialization and request machinery: plain JSON requests for the
 * session, and the same transport for the exec WebSocket.
 */
public final class DirectClient implements AutoCloseable {

  private static final long CONNECT_TIMEOUT_SECONDS = 5;
  private static final long REQUEST_TIMEOUT_SECONDS = 10;

  /**
   * A client opened and connected ahead of the session that will ask for it (a standby process's
   * warm-up): the next {@link #open} of the same configuration takes it, with its TLS connection.
   */
  private static final AtomicReference<Prepared> PREPARED = new AtomicReference<>();

  private record Prepared(DirectConfig config, DirectClient client) {}

  private final HttpClient http;
  private final String server;

  private DirectClient(HttpClient http, String server) {
    this.http = http;
    this.server = server.endsWith("/") ? server.substring(0, server.length() - 1) : server;
  }

  /**
   * A client for {@code config}; fails when its TLS material cannot be read. The {@link #prepare
   * prepared} one when it was made for the same configuration, byte for byte.
   */
  public static DirectClient open(DirectConfig config) throws GeneralSecurityException {
    Prepared prepared = PREPARED.getAndSet(null);
    if (prepared != null) {
      if (sameConfig(prepared.config(), config)) {
        return prepared.client();
      }
      prepared.client().close();
    }
    return create(config);
  }

  /**
   * Opens a client for {@code config} and connects it with a GET of {@code path}, for the next
   * {@link #open} of the same configuration: the standby's warm-up, so a session starts on an open
   * TLS connection. Again while it waits: a GET on an idle connection keeps it (the API server
   * closes connections idle for 90 s), and a closed one is opened again. Returns the GET's status.
   */
  public static int prepare(DirectConfig config, String path)
      throws GeneralSecurityException, InterruptedException {
    Prepared prepared = PREPARED.get();
    DirectClient client =
        prepared != null && sameConfig(prepared.config(), config)
            ? prepared.client()
            : create(config);
    PREPARED.set(new Prepared(config, client));
    try {
      return client.get(path).get(REQUEST_TIMEOUT_SECONDS, TimeUnit.SECONDS).status();
    } catch (ExecutionException | TimeoutException e) {
      return 0;
    }
  }

  /** The same configuration: every field, certificates and keys compared by content. */
  static boolean sameConfig(DirectConfig a, DirectConfig b) {
    return a.server().equals(b.server())
        && a.context().equals(b.context())
        && a.user().equals(b.user())
        && a.namespace().equals(b.namespace())
        && sameBytes(a.caPem(), b.caPem())
        && a.insecure() == b.insecure()
        && sameBytes(a.certPem(), b.certPem())
        && sameBytes(a.keyPem(), b.keyPem())
        && a.keySource().equals(b.keySource())
        && a.token().equals(b.token());
  }

  private static boolean sameBytes(Optional<byte[]> a, Optional<byte[]> b) {
    return a.isPresent() == b.isPresent() && (a.isEmpty() || Arrays.equals(a.get(), b.get()));
  }

  private static DirectClient create(DirectConfig config) throws GeneralSecurityException {
    HttpClient.Builder builder = new ClosingHttpClientFactory().newBuilder();
    // HTTP/1.1, not h2: a WebSocket (the session's exec or gateway request) cannot ride an h2
    // connection, but takes over a free HTTP/1.1 one from the pool. So server mode's discovery GET
    // (--mode auto) and its session share one TLS handshake: `execute -- true` 607 against 651 ms
    // median, CPU 796 against 841 ms (12 interleaved rounds on the test bed); direct mode opens two
    // connections either way (792 against 803 ms).
    builder
        .preferHttp11()
        .connectTimeout(CONNECT_TIMEOUT_SECONDS, TimeUnit.SECONDS)
        .sslContext(
            TlsMaterial.keys(config.certPem(), config.keyPem(), config.keySource()),
            TlsMaterial.trust(config.caPem(), config.insecure()));
    if (config.token().isPresent()) {
      String bearer = "Bearer " + config.token().get();
      builder.addOrReplaceInterceptor(
          "token",
          new Interceptor() {
            @Override
            public void before(
                BasicBuilder request, HttpRequest original, Interceptor.RequestTags tags) {
              request.setHeader("Authorization", bearer);
            }
          });
    }
    return new DirectClient(builder.build(), config.server());
  }

  /**
   * An answer: the HTTP status and the body's JSON (null when empty or not JSON).
   *
   * @param status the HTTP status code
   * @param json the parsed body
   */
  public record Reply(int status, Object json) {
    public boolean ok() {
      return status >= 200 && status < 300;
    }
  }

  /** GET {@code path} (below the server URL), asynchronously. */
  public CompletableFuture<Reply> get(String path) {
    return send(http.newHttpRequestBuilder().uri(server + path));
  }

  /** POST a JSON body to {@code path}, asynchronously. */
  public CompletableFuture<Reply> post(String path, String json) {
    return send(http.newHttpRequestBuilder().uri(server + path).post("application/json", json));
  }

  private CompletableFuture<Reply> send(HttpRequest.Builder request) {
    return http.sendAsync(
            request
                .header("Accept", "application/json")
                .timeout(REQUEST_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .build(),
            byte[].class)
        .thenApply(DirectClient::reply);
  }

  private static Reply reply(HttpResponse<byte[]> response) {
    byte[] body = response.body();
    Object json = null;
    if (body != null && body.length > 0) {
      try {
        json = Json.parse(new String(body, StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        json = null;
      }
    }
    return new Reply(response.code(), json);
  }

  /** The transport, for the exec WebSocket. */
  public HttpClient http() {
    return http;
  }

  /** The server's base URL. */
  public String server() {
    return server;
  }

  @Override
  public void close() {
    http.close();
  }
}
