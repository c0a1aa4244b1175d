package dev.lambdacntr.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lambdacntr.gateway.ApiGroup;
import dev.lambdacntr.gateway.StatusResponses;
import dev.lambdacntr.gateway.TestCertificates;
import dev.lambdacntr.gateway.TestCertificates.Issued;
import dev.lambdacntr.gateway.authn.FrontProxyTrustSource;
import dev.lambdacntr.gateway.authn.RequestHeaderAuthenticator;
import dev.lambdacntr.gateway.protect.GatewayProtections;
import dev.lambdacntr.gateway.session.SessionPreparationTest;
import dev.lambdacntr.target.protect.ProtectionLease;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Status;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.TrustOptions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway over real TLS on both sides: a client holding the front proxy's certificate, the
 * gateway, and a stand-in node agent that requires the gateway's client certificate and echoes
 * stdin to stdout in the v5 framing. The API server is fabric8's mock.
 */
class GatewayServerTest {

  static final Issued FRONT_PROXY_CA = TestCertificates.ca("front-proxy-ca");
  static final Issued PROXY_CLIENT = TestCertificates.client(FRONT_PROXY_CA, "front-proxy-client");
  static final Issued SERVING_CA = TestCertificates.ca("gateway-ca");
  static final Issued SERVING = TestCertificates.server(SERVING_CA, "lambda-cntr-gateway");
  static final Issued AGENT_CA = TestCertificates.ca("node-agent-ca");
  static final Issued AGENT_SERVING = TestCertificates.server(AGENT_CA, "lambda-cntr-node-agent");
  static final Issued GATEWAY_CLIENT = TestCertificates.client(AGENT_CA, "lambda-cntr-gateway");

  final SessionPreparationTest api = new SessionPreparationTest();
  Vertx vertx;
  HttpServer agent;
  HttpServer gateway;
  final List<String> agentUris = new CopyOnWriteArrayList<>();
  final List<String> agentPeers = new CopyOnWriteArrayList<>();
  final List<Object> clients = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    api.start("127.0.0.1");
    api.server
        .expect()
        .get()
        .withPath("/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication")
        .andReturn(
            200,
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("extension-apiserver-authentication")
                .endMetadata()
                .addToData("requestheader-client-ca-file", FRONT_PROXY_CA.certPem())
                .addToData("requestheader-allowed-names", "[\"front-proxy-client\"]")
                .addToData("requestheader-username-headers", "[\"X-Remote-User\"]")
                .addToData("requestheader-group-headers", "[\"X-Remote-Group\"]")
                .addToData("requestheader-extra-headers-prefix", "[\"X-Remote-Extra-\"]")
                .build())
        .always();
    vertx = Vertx.vertx();
    agent = await(echoAgent());
    FrontProxyTrustSource trust = new FrontProxyTrustSource(api.client);
    trust.refresh();
    GatewayServer server =
        new GatewayServer(
            vertx,
            new RequestHeaderAuthenticator(trust, Date::new),
            api.preparation,
            new GatewayProtections(api.client, new ProtectionLease(Duration.ofSeconds(30))),
            new WebSocketClientOptions()
                .setKeyCertOptions(
                    new PemKeyCertOptions()
                        .setCertValue(Buffer.buffer(GATEWAY_CLIENT.certPem()))
                        .setKeyValue(Buffer.buffer(GATEWAY_CLIENT.keyPem())))
                .setTrustOptions(
                    new PemTrustOptions().addCertValue(Buffer.buffer(AGENT_CA.certPem())))
                .setVerifyHost(false),
            agent.actualPort(),
            trust::loaded);
    gateway =
        await(
            server.listen(
                new HttpServerOptions()
                    .setPort(0)
                    .setHost("127.0.0.1")
                    .setSsl(true)
                    .setKeyCertOptions(
                        new PemKeyCertOptions()
                            .setCertValue(Buffer.buffer(SERVING.certPem()))
                            .setKeyValue(Buffer.buffer(SERVING.keyPem())))
                    .setClientAuth(ClientAuth.REQUEST)
                    .setTrustOptions(TrustOptions.wrap(trust.requestingTrustManager()))));
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    api.stop();
  }

  /** What the agent's stand-in sends at once for the command {@code burst}. */
  static final int BURST = 64 * 1024;

  /**
   * The node agent's stand-in: mTLS with the agents' CA; for the command {@code burst} sends {@link
   * #BURST} bytes, its status and its close as soon as it is connected; else echoes channel 0 on
   * channel 1, and on 255 sends its status and closes.
   */
  Future<HttpServer> echoAgent() {
    return vertx
        .createHttpServer(
            new HttpServerOptions()
                .setPort(0)
                .setHost("127.0.0.1")
                .setSsl(true)
                .setKeyCertOptions(
                    new PemKeyCertOptions()
                        .setCertValue(Buffer.buffer(AGENT_SERVING.certPem()))
                        .setKeyValue(Buffer.buffer(AGENT_SERVING.keyPem())))
                .setClientAuth(ClientAuth.REQUIRED)
                .setTrustOptions(
                    new PemTrustOptions().addCertValue(Buffer.buffer(AGENT_CA.certPem())))
                .setWebSocketSubProtocols(List.of(ApiGroup.SUBPROTOCOL)))
        .webSocketHandler(
            ws -> {
              agentUris.add(ws.uri());
              try {
                agentPeers.add(
                    ((X509Certificate) ws.peerCertificates().get(0))
                        .getSubjectX500Principal()
                        .getName());
              } catch (Exception e) {
                agentPeers.add("none");
              }
              if (ws.uri().endsWith("&command=burst")) {
                // the agent's side of a short `cp` out: output, status and close, all at once
                byte[] chunk = new byte[64 * 1024];
                for (int i = 0; i < BURST / chunk.length; i++) {
                  ws.writeBinaryMessage(Buffer.buffer().appendByte((byte) 1).appendBytes(chunk));
                }
                ws.writeBinaryMessage(
                    Buffer.buffer()
                        .appendByte((byte) 3)
                        .appendString("{\"kind\":\"Status\",\"status\":\"Success\"}"));
                ws.close((short) 1000);
                return;
              }
              ws.binaryMessageHandler(
                  message -> {
                    byte channel = message.getByte(0);
                    if (channel == 0) {
                      ws.writeBinaryMessage(
                          Buffer.buffer()
                              .appendByte((byte) 1)
                              .appendBuffer(message.slice(1, message.length())));
                    } else if (channel == (byte) 255) {
                      ws.writeBinaryMessage(
                          Buffer.buffer()
                              .appendByte((byte) 3)
                              .appendString("{\"kind\":\"Status\",\"status\":\"Success\"}"));
                      ws.close((short) 1000, "done");
                    }
                  });
            })
        .listen();
  }

  WebSocketClientOptions clientTls(Issued clientCert) {
    WebSocketClientOptions options =
        new WebSocketClientOptions()
            .setSsl(true)
            .setTrustOptions(
                new PemTrustOptions().addCertValue(Buffer.buffer(SERVING_CA.certPem())))
            .setMaxFrameSize(GatewayServer.MAX_FRAME)
            .setMaxMessageSize(4 * GatewayServer.MAX_FRAME);
    if (clientCert != null) {
      options.setKeyCertOptions(
          new PemKeyCertOptions()
              .setCertValue(Buffer.buffer(clientCert.certPem()))
              .setKeyValue(Buffer.buffer(clientCert.keyPem())));
    }
    return options;
  }

  Future<WebSocket> connect(Issued clientCert, String user, String pod, String query) {
    return connect(vertx, clientCert, user, pod, query);
  }

  Future<WebSocket> connect(Vertx on, Issued clientCert, String user, String pod, String query) {
    // held: Vert.x closes a client (and its connections) once it is unreachable
    WebSocketClient client = on.createWebSocketClient(clientTls(clientCert));
    clients.add(client);
    return client.connect(
        new WebSocketConnectOptions()
            .setHost("127.0.0.1")
            .setPort(gateway.actualPort())
            .setSsl(true)
            .setURI(ApiGroup.PREFIX + "/namespaces/team-a/pods/" + pod + "/exec?" + query)
            .addSubProtocol(ApiGroup.SUBPROTOCOL)
            .addHeader("X-Remote-User", user)
            .addHeader("X-Remote-Group", "team-a"));
  }

  @Test
  void aSessionIsRelayedBothWaysAndEndsWithTheAgentsStatus() throws Exception {
    api.allowDevA();
    api.pod(SessionPreparationTest.runningPod("web-1"));
    WebSocket ws = await(connect(PROXY_CLIENT, "dev-a", "web-1", "command=cat&command=-u"));
    BlockingQueue<Buffer> received = new LinkedBlockingQueue<>();
    Promise<Short> closed = Promise.promise();
    ws.binaryMessageHandler(received::add);
    ws.closeHandler(v -> closed.tryComplete(ws.closeStatusCode()));

    // 4 MiB in 64 KiB messages: everything arrives, in order
    int chunk = 32 * 1024;
    byte[] sent = new byte[4 * 1024 * 1024];
    new java.util.Random(7).nextBytes(sent);
    for (int off = 0; off < sent.length; off += chunk) {
      ws.writeBinaryMessage(Buffer.buffer().appendByte((byte) 0).appendBytes(sent, off, chunk));
    }
    byte[] echoed = new byte[sent.length];
    int at = 0;
    while (at < sent.length) {
      Buffer m = received.poll(10, TimeUnit.SECONDS);
      assertThat(m).as("echo after %d bytes", at).isNotNull();
      assertThat(m.getByte(0)).isEqualTo((byte) 1);
      byte[] data = m.getBytes(1, m.length());
      System.arraycopy(data, 0, echoed, at, data.length);
      at += data.length;
    }
    assertThat(Arrays.equals(echoed, sent)).isTrue();

    ws.writeBinaryMessage(Buffer.buffer(new byte[] {(byte) 255, 0}));
    Buffer status = received.poll(10, TimeUnit.SECONDS);
    assertThat(status.getByte(0)).isEqualTo((byte) 3);
    assertThat(status.slice(1, status.length()).toString()).contains("Success");
    assertThat(closed.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS))
        .isEqualTo((short) 1000);

    assertThat(agentUris)
        .containsExactly(
            "/v1/sessions?containerId=abc123&podUid=uid-1&tty=false&fs=mount&command=cat&command=-u");
    assertThat(agentPeers).containsExactly("CN=lambda-cntr-gateway");
    assertThat(api.events).hasSize(1);
  }

  /**
   * The agent ends a session right after its output, as {@code cp} out of a pod does: output,
   * status and close reach the gateway before its relay starts, and while it holds back what a slow
   * client cannot take yet. Vert.x reports the agent's closed connection at once, before the frames
   * that came ahead of the close; the client still gets every byte and the status, then the close.
   */
  @Test
  void aSlowClientGetsAllTheAgentsOutputAndItsStatusBeforeTheClose() throws Exception {
    api.allowDevA();
    api.pod(SessionPreparationTest.runningPod("web-1"));
    Vertx slow = Vertx.vertx();
    try {
      WebSocket ws = await(connect(slow, PROXY_CLIENT, "dev-a", "web-1", "command=burst"));
      AtomicLong output = new AtomicLong();
      BlockingQueue<String> status = new LinkedBlockingQueue<>();
      Promise<Short> closed = Promise.promise();
      ws.frameHandler(
          frame -> {
            // a client that reads slower than the agent writes (its own event loop)
            sleep(2);
            Buffer data = frame.binaryData();
            if (frame.isBinary() && data.length() > 0 && data.getByte(0) == 3) {
              status.add(data.slice(1, data.length()).toString());
            } else if (frame.isBinary() || frame.isContinuation()) {
              output.addAndGet(data.length() - (frame.isBinary() ? 1 : 0));
            }
          });
      ws.closeHandler(v -> closed.tryComplete(ws.closeStatusCode()));

      assertThat(
              closed.future().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS))
          .isEqualTo((short) 1000);
      assertThat(output.get()).isEqualTo(BURST);
      assertThat(status).hasSize(1);
      assertThat(status.peek()).contains("Success");
    } finally {
      slow.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void aClientWithoutTheFrontProxysCertificateIsUnauthorised() throws Exception {
    api.allowDevA();
    api.pod(SessionPreparationTest.runningPod("web-1"));
    Issued forged =
        TestCertificates.client(TestCertificates.ca("front-proxy-ca"), "front-proxy-client");
    for (Issued cert : new Issued[] {null, forged}) {
      UpgradeRejectedException e = rejected(connect(cert, "dev-a", "web-1", "command=ls"));
      assertThat(e.getStatus()).isEqualTo(401);
      Status status = StatusResponses.JSON.unmarshal(e.getBody().toString(), Status.class);
      assertThat(status.getDetails().getCauses().get(0).getMessage()).isEqualTo("78");
    }
    assertThat(agentUris).isEmpty();
    assertThat(api.events).isEmpty();
  }

  @Test
  void aDeniedUserGets403NamingVerbResourceAndNamespace() throws Exception {
    UpgradeRejectedException e = rejected(connect(PROXY_CLIENT, "dev-b", "web-1", "command=ls"));
    assertThat(e.getStatus()).isEqualTo(403);
    Status status = StatusResponses.JSON.unmarshal(e.getBody().toString(), Status.class);
    assertThat(status.getMessage())
        .isEqualTo("user \"dev-b\" cannot create pods/exec in namespace \"team-a\"");
    assertThat(status.getDetails().getCauses().get(0).getMessage()).isEqualTo("67");
    assertThat(agentUris).isEmpty();
  }

  @Test
  void aMissingPodIs404WithTheCliExitCode() throws Exception {
    api.allowDevA();
    api.server
        .expect()
        .get()
        .withPath("/api/v1/namespaces/team-a/pods/gone")
        .andReturn(404, null)
        .always();
    UpgradeRejectedException e = rejected(connect(PROXY_CLIENT, "dev-a", "gone", "command=ls"));
    assertThat(e.getStatus()).isEqualTo(404);
    Status status = StatusResponses.JSON.unmarshal(e.getBody().toString(), Status.class);
    assertThat(status.getMessage()).isEqualTo("pod team-a/gone not found");
    assertThat(status.getDetails().getCauses().get(0).getMessage()).isEqualTo("68");
  }

  @Test
  void discoveryListsTheSubresources() throws Exception {
    // held until the answer is in: Vert.x closes a client that is no longer referenced
    HttpClient http =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setSsl(true)
                .setTrustOptions(
                    new PemTrustOptions().addCertValue(Buffer.buffer(SERVING_CA.certPem()))));
    String body =
        await(
                http.request(HttpMethod.GET, gateway.actualPort(), "127.0.0.1", ApiGroup.PREFIX)
                    .compose(r -> r.send())
                    .compose(r -> r.body()))
            .toString();
    http.close();
    assertThat(body)
        .contains("\"kind\":\"APIResourceList\"")
        .contains("\"groupVersion\":\"cntr.lambda-cntr.dev/v1alpha1\"")
        .contains("\"name\":\"pods/attach\"")
        .contains("\"name\":\"pods/portforward\"")
        .contains("\"namespaced\":true");
  }

  @Test
  void aPlainRequestOfASessionGetsTheRefusalAnUpgradeWouldGetAndStartsNothing() throws Exception {
    api.allowDevA();
    api.pod(SessionPreparationTest.runningPod("web-1"));
    api.server
        .expect()
        .get()
        .withPath("/api/v1/namespaces/team-a/pods/gone")
        .andReturn(404, null)
        .always();
    // the reason a refused upgrade's body may not carry to the client, read with a plain GET
    assertThat(plainGet("dev-a", "gone", 404))
        .contains("\"message\":\"pod team-a/gone not found\"")
        .contains("{\"message\":\"68\",\"reason\":\"lambda-cntr.dev/exit-code\"}");
    assertThat(plainGet("dev-b", "web-1", 403)).contains("{\"message\":\"67\",");
    // a session the gateway would open: refused only for not being an upgrade
    assertThat(plainGet("dev-a", "web-1", 400))
        .contains("sessions are WebSocket upgrades")
        .doesNotContain("lambda-cntr.dev/exit-code");
    assertThat(agentUris).isEmpty();
    assertThat(api.events).isEmpty();
  }

  /** The body of a plain GET of a session's URL, whose status must be {@code expectedCode}. */
  String plainGet(String user, String pod, int expectedCode) throws Exception {
    HttpClient http =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setSsl(true)
                .setKeyCertOptions(
                    new PemKeyCertOptions()
                        .setCertValue(Buffer.buffer(PROXY_CLIENT.certPem()))
                        .setKeyValue(Buffer.buffer(PROXY_CLIENT.keyPem())))
                .setTrustOptions(
                    new PemTrustOptions().addCertValue(Buffer.buffer(SERVING_CA.certPem()))));
    try {
      // the body is asked for as the response arrives (Vert.x drops what comes before)
      var response =
          await(
              http.request(
                      HttpMethod.GET,
                      gateway.actualPort(),
                      "127.0.0.1",
                      ApiGroup.PREFIX + "/namespaces/team-a/pods/" + pod + "/exec?command=ls")
                  .compose(
                      r ->
                          r.putHeader("X-Remote-User", user)
                              .putHeader("X-Remote-Group", "team-a")
                              .send())
                  .compose(r -> r.body().map(b -> Map.entry(r.statusCode(), b.toString()))));
      String body = response.getValue();
      assertThat(response.getKey()).as(body).isEqualTo(expectedCode);
      return body;
    } finally {
      http.close();
    }
  }

  static UpgradeRejectedException rejected(Future<WebSocket> connect) throws Exception {
    try {
      connect.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(UpgradeRejectedException.class);
      return (UpgradeRejectedException) e.getCause();
    }
    throw new AssertionError("the upgrade was accepted");
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
