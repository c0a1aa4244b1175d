package dev.lambdacntr.nodeagent;

import dev.lambdacntr.agent.AotTraining;
import dev.lambdacntr.agent.Attach;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code lambda-cntr-node-agent aot-training}: one run of what a resident node agent does after it
 * starts, for the JDK's AOT cache ({@code -XX:AOTCacheOutput}, written by the launcher's {@code
 * aot-train}). The classes it loads are then mapped from the cache instead of being parsed into
 * metaspace, which is most of an idle node agent's memory (node-agent/README.md). It serves itself
 * over loopback with a key pair made for this run: a mutual-TLS handshake, {@code /healthz}, {@code
 * /version} and a session WebSocket for a container that is not there, which ends with its status;
 * then the agent's own training run ({@link AotTraining}), the path a session takes into its
 * target. It enters nothing and starts nothing.
 */
final class NodeAgentAotTraining {
  private static final String PASSWORD = "aot-training";
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private NodeAgentAotTraining() {}

  static void run(Path home) throws Exception {
    Path dir = Files.createTempDirectory("lambda-cntr-node-agent-aot");
    Vertx vertx = NodeAgentMain.vertx();
    try {
      Path cert = dir.resolve("training.crt");
      Path key = dir.resolve("training.key");
      selfSignedPair(dir, cert, key);
      NodeAgentOptions options =
          NodeAgentOptions.parse(
              List.of(
                  "--listen", "127.0.0.1:0",
                  "--cert", cert.toString(),
                  "--key", key.toString(),
                  "--client-ca", cert.toString()));
      Attach attach = Attach.resident(home, Path.of("/"), options.fuseIdle());
      int port = await(new NodeAgentServer(vertx, options, attach).listen()).actualPort();
      PemKeyCertOptions identity =
          new PemKeyCertOptions().setCertPath(cert.toString()).setKeyPath(key.toString());
      PemTrustOptions trust = new PemTrustOptions().addCertPath(cert.toString());
      var http =
          vertx.createHttpClient(
              new HttpClientOptions()
                  .setSsl(true)
                  .setKeyCertOptions(identity)
                  .setTrustOptions(trust));
      for (String path : List.of("/healthz", "/version")) {
        await(
            http.request(HttpMethod.GET, port, "127.0.0.1", path)
                .compose(request -> request.send())
                .compose(response -> response.body()));
      }
      var sessions =
          vertx.createWebSocketClient(
              new WebSocketClientOptions()
                  .setSsl(true)
                  .setKeyCertOptions(identity)
                  .setTrustOptions(trust));
      await(
          sessions
              .connect(
                  new WebSocketConnectOptions()
                      .setHost("127.0.0.1")
                      .setPort(port)
                      .setURI(
                          SessionRequest.PATH
                              + "?containerId="
                              + "0".repeat(64)
                              + "&podUid=00000000-0000-4000-8000-000000000000&command=true")
                      .setSubProtocols(List.of(NodeAgentServer.SUBPROTOCOL)))
              .compose(NodeAgentAotTraining::closed));
      AotTraining.run(home); // a session's start-up path, which that session did not reach
    } finally {
      await(vertx.close());
      try (var files = Files.list(dir)) {
        for (Path file : files.toList()) {
          Files.delete(file);
        }
      }
      Files.delete(dir);
    }
  }

  /**
   * A self-signed EC key pair for this run, made by the runtime's own {@code keytool} (the JDK has
   * no API that signs a certificate), written as PEM: the certificate and the PKCS#8 key.
   */
  private static void selfSignedPair(Path dir, Path cert, Path key)
      throws IOException, InterruptedException, GeneralSecurityException {
    Path store = dir.resolve("training.p12");
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Process process =
        new ProcessBuilder(
                keytool.toString(),
                "-genkeypair",
                "-alias",
                "training",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=localhost",
                "-ext",
                "san=ip:127.0.0.1",
                "-validity",
                "1",
                "-storetype",
                "PKCS12",
                "-keystore",
                store.toString(),
                "-storepass",
                PASSWORD)
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new CntrException(
          ExitCode.AGENT_INTERNAL, keytool + " -genkeypair failed: " + output.strip());
    }
    KeyStore keyStore = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      keyStore.load(in, PASSWORD.toCharArray());
    }
    Certificate certificate = keyStore.getCertificate("training");
    Key privateKey = keyStore.getKey("training", PASSWORD.toCharArray());
    Files.writeString(cert, pem("CERTIFICATE", certificate.getEncoded()));
    Files.writeString(key, pem("PRIVATE KEY", privateKey.getEncoded()));
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  /** Completes when the node agent has ended the session (its status sent, the socket closed). */
  private static Future<Void> closed(WebSocket socket) {
    Promise<Void> closed = Promise.promise();
    socket.closeHandler(v -> closed.tryComplete());
    if (socket.isClosed()) {
      closed.tryComplete();
    }
    return closed.future();
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future
        .toCompletionStage()
        .toCompletableFuture()
        .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }
}
