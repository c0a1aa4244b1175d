package dev.lambdacntr.nodeagent;

import dev.lambdacntr.agent.Attach;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.SessionLimits;
import io.netty.handler.ssl.OpenSsl;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SSLEngineOptions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The node agent's HTTPS server: mutual TLS (a client's certificate must chain to the client CA, or
 * the handshake fails before any request is read), {@code /v1/sessions} as a {@code
 * v5.channel.k8s.io} WebSocket, {@code /healthz} and {@code /version}.
 */
final class NodeAgentServer {
  static final String SUBPROTOCOL = "v5.channel.k8s.io";

  private final Vertx vertx;
  private final NodeAgentOptions options;
  private final Attach attach;

  NodeAgentServer(Vertx vertx, NodeAgentOptions options, Attach attach) {
    this.vertx = vertx;
    this.options = options;
    this.attach = attach;
  }

  Future<HttpServer> listen() {
    HttpServerOptions server =
        new HttpServerOptions()
            .setHost(options.host())
            .setPort(options.port())
            .setSsl(true)
            .setSslEngineOptions(tlsEngine())
            .setKeyCertOptions(
                new PemKeyCertOptions()
                    .setCertPath(options.cert().toString())
                    .setKeyPath(options.key().toString()))
            .setTrustOptions(new PemTrustOptions().addCertPath(options.clientCa().toString()))
            .setClientAuth(ClientAuth.REQUIRED)
            .setWebSocketSubProtocols(List.of(SUBPROTOCOL))
            .setMaxInitialLineLength(SessionLimits.MAX_REQUEST_LINE)
            .setCompressionSupported(false)
            .setPerMessageWebSocketCompressionSupported(false)
            .setPerFrameWebSocketCompressionSupported(false);
    return vertx.createHttpServer(server).requestHandler(this::handle).listen();
  }

  /**
   * BoringSSL where its native library loads, else the JDK's engine. This JVM runs C1 only (its
   * memory), where the JDK's AES-GCM is plain Java: relaying a 128 MiB copy in server mode, 82% of
   * the gateway's samples (JFR) were in GHASH and AES, at 77% of a core for 8 MiB/s.
   */
  static SSLEngineOptions tlsEngine() {
    return OpenSSLEngineOptions.isAvailable()
        ? new OpenSSLEngineOptions()
        : new JdkSSLEngineOptions();
  }

  /** Which TLS engine {@link #tlsEngine} chose, for the log. */
  static String tlsEngineName() {
    return OpenSSLEngineOptions.isAvailable()
        ? "BoringSSL " + OpenSsl.versionString()
        : "the JDK's (BoringSSL: " + OpenSsl.unavailabilityCause() + ")";
  }

  private void handle(HttpServerRequest request) {
    if (request.method() != HttpMethod.GET) {
      request.response().setStatusCode(405).end("only GET\n");
      return;
    }
    switch (request.path()) {
      case "/healthz" -> request.response().putHeader("content-type", "text/plain").end("ok");
      case "/version" ->
          request
              .response()
              .putHeader("content-type", "application/json")
              .end(
                  "{\"component\":\"lambda-cntr-node-agent\",\"version\":\""
                      + NodeAgentMain.version()
                      + "\",\"protocols\":[\""
                      + SUBPROTOCOL
                      + "\"]}\n");
      case SessionRequest.PATH -> session(request);
      default -> request.response().setStatusCode(404).end("no " + request.path() + "\n");
    }
  }

  private void session(HttpServerRequest request) {
    if (!request.canUpgradeToWebSocket()) {
      request
          .response()
          .setStatusCode(400)
          .end("a session is a WebSocket (subprotocol " + SUBPROTOCOL + ")\n");
      return;
    }
    Map<String, List<String>> query = new LinkedHashMap<>();
    for (String name : request.params().names()) {
      query.put(name, request.params().getAll(name));
    }
    request
        .toWebSocket()
        .onSuccess(socket -> open(socket, query))
        .onFailure(e -> NodeAgentMain.log("session upgrade failed: " + e));
  }

  private void open(ServerWebSocket socket, Map<String, List<String>> query) {
    if (!SUBPROTOCOL.equals(socket.subProtocol())) {
      socket.close((short) 1002, "subprotocol " + SUBPROTOCOL + " required");
      return;
    }
    SessionRequest session;
    try {
      session = SessionRequest.parse(query);
    } catch (CntrException e) {
      SessionChannel.refuse(socket, e);
      return;
    }
    SessionChannel.start(socket, vertx.getOrCreateContext(), session, attach, options.toolsRoot());
  }
}
