package dev.lambdacntr.gateway.http;

import dev.lambdacntr.gateway.ApiGroup;
import dev.lambdacntr.gateway.StatusResponses;
import dev.lambdacntr.gateway.authn.RequestHeaderAuthenticator;
import dev.lambdacntr.gateway.authn.UserInfo;
import dev.lambdacntr.gateway.protect.GatewayProtections;
import dev.lambdacntr.gateway.session.PreparedSession;
import dev.lambdacntr.gateway.session.SessionPreparation;
import dev.lambdacntr.gateway.session.SessionQuery;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import dev.lambdacntr.protocol.SessionLimits;
import dev.lambdacntr.target.protect.TargetProtection;
import io.fabric8.kubernetes.api.model.Pod;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.security.cert.Certificate;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * The gateway's HTTPS endpoint: health, discovery and the session subresources. A session is
 * authenticated on the event loop, prepared off it ({@link SessionPreparation}: authorisation,
 * policy, target, Event), opened at the node agent, and only then is the client's WebSocket
 * accepted, so every refusal reaches the client as an HTTP status with a v1 Status body. A session
 * that asks for protection has its pod marked before it is opened at the node agent, and the marks
 * released whenever it ends ({@link GatewayProtections}); the {@code protect} subresource holds
 * them alone, for as long as its WebSocket is open.
 */
public final class GatewayServer {

  /** The largest WebSocket frame accepted on either side. */
  public static final int MAX_FRAME = 1 << 20;

  private final Vertx vertx;
  private final RequestHeaderAuthenticator authenticator;
  private final SessionPreparation preparation;
  private final GatewayProtections protections;
  private final WebSocketClient agents;
  private final int agentPort;
  private final BooleanSupplier ready;

  /**
   * @param protections who marks the pods of protected sessions
   * @param agentClientOptions TLS options for the node agents (client certificate, their CA)
   * @param agentPort the node agents' port
   * @param ready whether the gateway can authenticate requests yet
   */
  public GatewayServer(
      Vertx vertx,
      RequestHeaderAuthenticator authenticator,
      SessionPreparation preparation,
      GatewayProtections protections,
      WebSocketClientOptions agentClientOptions,
      int agentPort,
      BooleanSupplier ready) {
    this.vertx = vertx;
    this.authenticator = authenticator;
    this.preparation = preparation;
    this.protections = protections;
    this.agents =
        vertx.createWebSocketClient(
            new WebSocketClientOptions(agentClientOptions)
                .setSsl(true)
                .setMaxFrameSize(MAX_FRAME)
                .setMaxMessageSize(MAX_FRAME));
    this.agentPort = agentPort;
    this.ready = ready;
  }

  /** Listens with {@code options} (TLS, port) made ready for sessions. */
  public Future<HttpServer> listen(HttpServerOptions options) {
    HttpServerOptions server =
        new HttpServerOptions(options)
            .setWebSocketSubProtocols(List.of(ApiGroup.SUBPROTOCOL))
            .setMaxInitialLineLength(SessionLimits.MAX_REQUEST_LINE)
            .setMaxWebSocketFrameSize(MAX_FRAME)
            .setMaxWebSocketMessageSize(MAX_FRAME);
    return vertx.createHttpServer(server).requestHandler(this::handle).listen();
  }

  private void handle(HttpServerRequest request) {
    String path = request.path();
    switch (path) {
      case "/healthz", "/livez" -> request.response().end("ok");
      case "/readyz" -> {
        if (ready.getAsBoolean()) {
          request.response().end("ok");
        } else {
          request.response().setStatusCode(503).end("front-proxy configuration not read yet");
        }
      }
      default -> {
        Optional<String> discovery = Discovery.at(path);
        if (discovery.isPresent()) {
          request.response().putHeader("Content-Type", "application/json").end(discovery.get());
        } else if (SessionQuery.matches(path)) {
          session(request);
        } else {
          refuse(
              request,
              new CntrException(ExitCode.USAGE, "the lambda-cntr gateway serves no " + path),
              404);
        }
      }
    }
  }

  private void session(HttpServerRequest request) {
    UserInfo user;
    SessionQuery query;
    try {
      user = authenticator.authenticate(peerCertificates(request), request.headers());
      query = SessionQuery.parse(request.path(), params(request.params()));
    } catch (CntrException e) {
      refuse(request, e, 0);
      return;
    }
    request.pause();
    if (!request.canUpgradeToWebSocket()) {
      answerPlainRequest(request, user, query);
      return;
    }
    try {
      requireV5(request);
    } catch (CntrException e) {
      refuse(request, e, 0);
      return;
    }
    if (query.subresource().equals(ApiGroup.PROTECT)) {
      protection(request, user, query);
      return;
    }
    long received = System.nanoTime();
    vertx
        .<Prepared>executeBlocking(() -> prepareAndProtect(user, query), false)
        .compose(
            prepared -> {
              long connecting = System.nanoTime();
              return connectAgent(prepared.session())
                  .map(
                      agent ->
                          new Opened(
                              prepared.session(),
                              prepared.protection(),
                              agent,
                              new SessionTimes(received, connecting, System.nanoTime())))
                  .recover(
                      e -> {
                        release(prepared.protection());
                        return Future.failedFuture(e);
                      });
            })
        .onSuccess(opened -> accept(request, opened))
        .onFailure(e -> refuse(request, e, 0));
  }

  /**
   * A plain request of a session's URL: refused with the reason an upgrade would be refused with,
   * if any, else as not being an upgrade. Nothing is recorded or started. This is how a client
   * whose upgrade was refused reads why.
   */
  private void answerPlainRequest(HttpServerRequest request, UserInfo user, SessionQuery query) {
    vertx
        .executeBlocking(
            () -> {
              if (query.subresource().equals(ApiGroup.PROTECT)) {
                preparation.protectionTarget(user, query);
              } else {
                preparation.check(user, query);
              }
              return null;
            },
            false)
        .onComplete(
            checked -> {
              if (checked.failed()) {
                refuse(request, checked.cause(), 0);
                return;
              }
              // the session would be opened: this answer carries no exit code, so a client asking
              // why its upgrade failed keeps the reason it has (the upgrade's own HTTP status)
              var status =
                  StatusResponses.of(
                      new CntrException(
                          ExitCode.USAGE,
                          "sessions are WebSocket upgrades with subprotocol "
                              + ApiGroup.SUBPROTOCOL));
              status.setDetails(null);
              request
                  .response()
                  .setStatusCode(status.getCode())
                  .putHeader("Content-Type", "application/json")
                  .end(StatusResponses.JSON.asJson(status));
            });
  }

  /** A prepared session and, if it asked for it, its hold on the pod's marks. */
  private record Prepared(PreparedSession session, Optional<TargetProtection> protection) {}

  private record Opened(
      PreparedSession prepared,
      Optional<TargetProtection> protection,
      SessionRelay relay,
      SessionTimes times) {}

  /**
   * When a session's request arrived, its preparation ended and its node agent answered
   * (System.nanoTime): the log's breakdown of the gateway's part of a session's start.
   */
  private record SessionTimes(long received, long connecting, long agentOpen) {
    String describe(long clientOpen) {
      return String.format(
          "prepared in %d ms, node agent opened in %d ms, client upgraded in %d ms",
          (connecting - received) / 1_000_000,
          (agentOpen - connecting) / 1_000_000,
          (clientOpen - agentOpen) / 1_000_000);
    }
  }

  private Prepared prepareAndProtect(UserInfo user, SessionQuery query) {
    PreparedSession prepared = preparation.prepare(user, query);
    if (!query.protect()) {
      return new Prepared(prepared, Optional.empty());
    }
    var target = prepared.target();
    return new Prepared(
        prepared, Optional.of(protections.take(target.namespace(), target.pod(), target.podUid())));
  }

  /** Releases a hold off the event loop (it makes API calls). */
  private void release(Optional<TargetProtection> protection) {
    protection.ifPresent(
        held ->
            vertx
                .executeBlocking(
                    () -> {
                      protections.release(held);
                      return null;
                    },
                    false)
                .onFailure(e -> GatewayLog.info("releasing a protection: " + e.getMessage())));
  }

  /**
   * The {@code protect} subresource: authorised, the pod marked, then the WebSocket accepted; the
   * marks are held until either side closes it. Nothing is read from the client but its close.
   */
  private void protection(HttpServerRequest request, UserInfo user, SessionQuery query) {
    String ref = user.name() + " protect " + query.namespace() + "/" + query.pod();
    vertx
        .<TargetProtection>executeBlocking(
            () -> {
              Pod pod = preparation.protectionTarget(user, query);
              return protections.take(query.namespace(), query.pod(), pod.getMetadata().getUid());
            },
            false)
        .onSuccess(
            held ->
                request
                    .toWebSocket()
                    .onSuccess(
                        client -> {
                          GatewayLog.info("protection opened: " + ref);
                          client.frameHandler(frame -> {});
                          client.exceptionHandler(e -> client.close((short) 1011, "failed"));
                          client.closeHandler(
                              v -> {
                                GatewayLog.info("protection ended: " + ref);
                                release(Optional.of(held));
                              });
                        })
                    .onFailure(e -> release(Optional.of(held))))
        .onFailure(e -> refuse(request, e, 0));
  }

  private Future<SessionRelay> connectAgent(PreparedSession prepared) {
    WebSocketConnectOptions connect =
        new WebSocketConnectOptions()
            .setHost(prepared.agentIp())
            .setPort(agentPort)
            .setSsl(true)
            .setURI(prepared.agentUri())
            .addSubProtocol(ApiGroup.SUBPROTOCOL)
            .setConnectTimeout(5_000);
    return agents
        .connect(connect)
        // paused, with its handlers, until the client's side is open: nothing the agent says is
        // lost
        .map(SessionRelay::hold)
        .recover(e -> Future.failedFuture(agentFailure(prepared, e)));
  }

  private static Throwable agentFailure(PreparedSession prepared, Throwable e) {
    if (e instanceof UpgradeRejectedException rejected) {
      return new AgentRefusal(rejected.getStatus(), rejected.getBody());
    }
    return new CntrException(
        ExitCode.AGENT_FAILED,
        "cannot open the session at node agent "
            + prepared.agentPod()
            + " ("
            + prepared.agentIp()
            + "): "
            + e.getMessage(),
        e);
  }

  /** The node agent answered the upgrade with an HTTP error: passed on as it is. */
  private static final class AgentRefusal extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;
    final transient io.vertx.core.buffer.Buffer body;

    AgentRefusal(int status, io.vertx.core.buffer.Buffer body) {
      super("the node agent refused the session: HTTP " + status, null, false, false);
      this.status = status;
      this.body = body;
    }
  }

  private void accept(HttpServerRequest request, Opened opened) {
    PreparedSession prepared = opened.prepared();
    request
        .toWebSocket()
        .onSuccess(
            client -> {
              GatewayLog.info(
                  "session opened: "
                      + prepared.describe()
                      + " ("
                      + opened.times().describe(System.nanoTime())
                      + ")");
              opened
                  .relay()
                  .start(
                      vertx,
                      client,
                      prepared.maxDuration(),
                      () -> {
                        GatewayLog.info("session ended: " + prepared.describe());
                        release(opened.protection());
                      });
            })
        .onFailure(
            e -> {
              release(opened.protection());
              opened.relay().abandon("the client's upgrade failed");
              GatewayLog.info("session not opened (client upgrade failed): " + e.getMessage());
            });
  }

  private static void requireV5(HttpServerRequest request) {
    String offered = Optional.ofNullable(request.getHeader("Sec-WebSocket-Protocol")).orElse("");
    boolean v5 =
        Arrays.stream(offered.split(",")).map(String::strip).anyMatch(ApiGroup.SUBPROTOCOL::equals);
    if (!request.canUpgradeToWebSocket() || !v5) {
      throw new CntrException(
          ExitCode.USAGE,
          "sessions are WebSocket upgrades with subprotocol "
              + ApiGroup.SUBPROTOCOL
              + " (offered: "
              + (offered.isEmpty() ? "none" : offered)
              + ")");
    }
  }

  private static List<? extends Certificate> peerCertificates(HttpServerRequest request) {
    try {
      return request.connection().peerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      return List.of();
    }
  }

  private static Map<String, List<String>> params(MultiMap params) {
    Map<String, List<String>> all = new LinkedHashMap<>();
    for (String name : params.names()) {
      all.put(name, params.getAll(name));
    }
    return all;
  }

  private static void refuse(HttpServerRequest request, Throwable failure, int httpCode) {
    if (failure instanceof AgentRefusal agent) {
      request
          .response()
          .setStatusCode(agent.status)
          .putHeader("Content-Type", "application/json")
          .end(agent.body == null ? io.vertx.core.buffer.Buffer.buffer() : agent.body);
      return;
    }
    CntrException refusal =
        failure instanceof CntrException c
            ? c
            : new CntrException(ExitCode.INTERNAL, "gateway: " + failure, failure);
    var status = StatusResponses.of(refusal);
    if (httpCode != 0) {
      status.setCode(httpCode);
      status.setReason("NotFound");
    }
    if (refusal.exitCode() == ExitCode.INTERNAL) {
      GatewayLog.info("internal error: " + refusal.getMessage());
    }
    request
        .response()
        .setStatusCode(status.getCode())
        .putHeader("Content-Type", "application/json")
        .end(StatusResponses.JSON.asJson(status));
  }
}
