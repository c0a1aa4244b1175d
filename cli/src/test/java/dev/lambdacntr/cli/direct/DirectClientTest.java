package dev.lambdacntr.cli.direct;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.lambdacntr.protocol.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A real TLS handshake with client authentication: the server demands the client certificate (EC
 * key in SEC1 form, as kubeadm and openssl write it) and answers with its subject.
 */
class DirectClientTest {

  HttpsServer server;
  final Map<String, Integer> ports = new ConcurrentHashMap<>(); // path -> the client's port

  static byte[] resource(String name) throws IOException {
    try (InputStream in = DirectClientTest.class.getResourceAsStream(name)) {
      return in.readAllBytes();
    }
  }

  @BeforeEach
  void start() throws Exception {
    SSLContext tls = SSLContext.getInstance("TLS");
    KeyStore serverKey = KeyStore.getInstance("PKCS12");
    serverKey.load(null, null);
    serverKey.setKeyEntry(
        "server",
        TlsMaterial.privateKey(
            new String(resource("rsa-pkcs1.pem"), StandardCharsets.US_ASCII), "rsa-pkcs1.pem"),
        new char[0],
        CertificateFactory.getInstance("X.509")
            .generateCertificates(new java.io.ByteArrayInputStream(resource("rsa-cert.pem")))
            .toArray(Certificate[]::new));
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(serverKey, new char[0]);
    tls.init(
        kmf.getKeyManagers(), TlsMaterial.trust(Optional.of(resource("ec-cert.pem")), false), null);
    server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setHttpsConfigurator(
        new HttpsConfigurator(tls) {
          @Override
          public void configure(HttpsParameters params) {
            var p = tls.getDefaultSSLParameters();
            p.setNeedClientAuth(true);
            // as the API server: h2 first (this server speaks only HTTP/1.1, so an h2 client fails)
            p.setApplicationProtocols(new String[] {"h2", "http/1.1"});
            params.setSSLParameters(p);
          }
        });
    server.createContext(
        "/",
        exchange -> {
          String subject =
              ((X509Certificate)
                      ((HttpsExchange) exchange).getSSLSession().getPeerCertificates()[0])
                  .getSubjectX500Principal()
                  .getName();
          ports.put(exchange.getRequestURI().getPath(), exchange.getRemoteAddress().getPort());
          byte[] body =
              ("{\"path\":"
                      + Json.quote(exchange.getRequestURI().toString())
                      + ",\"client\":"
                      + Json.quote(subject)
                      + ",\"protocol\":"
                      + Json.quote(exchange.getProtocol())
                      + ",\"clientPort\":"
                      + exchange.getRemoteAddress().getPort()
                      + "}")
                  .getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  DirectConfig config(Optional<byte[]> cert, Optional<byte[]> key) {
    return new DirectConfig(
        "https://127.0.0.1:" + server.getAddress().getPort() + "/",
        "ctx",
        "user",
        Optional.empty(),
        Optional.empty(),
        true,
        cert,
        key,
        key.isPresent() ? "ec-sec1.pem" : "",
        Optional.empty());
  }

  @Test
  void theClientCertificateAuthenticates() throws Exception {
    try (DirectClient client =
        DirectClient.open(
            config(Optional.of(resource("ec-cert.pem")), Optional.of(resource("ec-sec1.pem"))))) {
      DirectClient.Reply reply = client.get("/api/v1/x?y=1").get(30, TimeUnit.SECONDS);
      assertThat(reply.ok()).isTrue();
      assertThat(Json.string(reply.json(), "client")).contains("CN=lambda-cntr-test-client");
      assertThat(Json.string(reply.json(), "path")).contains("/api/v1/x?y=1");
    }
  }

  /**
   * HTTP/1.1 although the server offers h2: requests in turn share one connection, which a
   * WebSocket (the session) can then take over instead of making a TLS handshake of its own.
   */
  @Test
  void requestsGoOverOneHttp11Connection() throws Exception {
    try (DirectClient client =
        DirectClient.open(
            config(Optional.of(resource("ec-cert.pem")), Optional.of(resource("ec-sec1.pem"))))) {
      DirectClient.Reply first = client.get("/apis/a").get(30, TimeUnit.SECONDS);
      DirectClient.Reply second = client.get("/apis/b").get(30, TimeUnit.SECONDS);
      assertThat(first.ok()).isTrue();
      assertThat(Json.string(first.json(), "protocol")).contains("HTTP/1.1");
      assertThat(Json.string(second.json(), "path")).contains("/apis/b");
      assertThat(port(second)).isEqualTo(port(first));
    }
  }

  /**
   * A standby's prepared client: the next open of the same configuration, read again byte for byte
   * (new arrays), takes it with its connection; another configuration gets a client of its own.
   */
  @Test
  void aPreparedClientIsTakenWithItsConnectionByTheSameConfigurationOnly() throws Exception {
    DirectConfig prepared =
        config(Optional.of(resource("ec-cert.pem")), Optional.of(resource("ec-sec1.pem")));
    assertThat(DirectClient.prepare(prepared, "/apis/warm")).isEqualTo(200);
    try (DirectClient client =
        DirectClient.open(
            config(Optional.of(resource("ec-cert.pem")), Optional.of(resource("ec-sec1.pem"))))) {
      assertThat(client.get("/apis/session").get(30, TimeUnit.SECONDS).ok()).isTrue();
    }
    assertThat(ports.get("/apis/session")).isEqualTo(ports.get("/apis/warm"));

    assertThat(DirectClient.prepare(prepared, "/apis/warm-again")).isEqualTo(200);
    DirectConfig otherContext =
        new DirectConfig(
            prepared.server(),
            "another",
            prepared.user(),
            prepared.namespace(),
            prepared.caPem(),
            prepared.insecure(),
            prepared.certPem(),
            prepared.keyPem(),
            prepared.keySource(),
            prepared.token());
    try (DirectClient other = DirectClient.open(otherContext)) {
      assertThat(other.get("/apis/other").get(30, TimeUnit.SECONDS).ok()).isTrue();
    }
    assertThat(DirectClient.sameConfig(prepared, otherContext)).isFalse();
    assertThat(ports.get("/apis/other")).isNotEqualTo(ports.get("/apis/warm-again"));
  }

  private static Object port(DirectClient.Reply reply) {
    return Json.path(reply.json(), "clientPort").orElseThrow();
  }

  @Test
  void withoutItTheServerRefuses() throws Exception {
    try (DirectClient client = DirectClient.open(config(Optional.empty(), Optional.empty()))) {
      assertThatThrownBy(() -> client.get("/").get(30, TimeUnit.SECONDS))
          .hasRootCauseInstanceOf(IOException.class);
    }
  }
}
