package dev.lambdacntr.gateway;

import dev.lambdacntr.gateway.authn.FrontProxyTrustSource;
import dev.lambdacntr.gateway.authn.RequestHeaderAuthenticator;
import dev.lambdacntr.gateway.authz.SessionAuthorizer;
import dev.lambdacntr.gateway.http.GatewayLog;
import dev.lambdacntr.gateway.http.GatewayServer;
import dev.lambdacntr.gateway.policy.PolicySource;
import dev.lambdacntr.gateway.protect.GatewayProtections;
import dev.lambdacntr.gateway.session.NodeAgents;
import dev.lambdacntr.gateway.session.SessionPreparation;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.target.protect.ProtectionLease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.netty.handler.ssl.OpenSsl;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SSLEngineOptions;
import io.vertx.core.net.TrustOptions;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/**
 * {@code lambda-cntr-gateway}: serves the aggregated API {@code cntr.lambda-cntr.dev/v1alpha1}
 * inside the cluster, with the credentials of its ServiceAccount.
 */
public final class GatewayMain {

  /** How often the front proxy's configuration is re-read. */
  static final long TRUST_REFRESH_MS = 30_000;

  private GatewayMain() {}

  public static void main(String[] args) {
    GatewayConfig config;
    try {
      config = GatewayConfig.parse(List.of(args), System::getenv);
    } catch (CntrException e) {
      System.err.println(e.getMessage());
      System.exit(e.exitCode().code());
      return;
    }
    KubernetesClient client = new KubernetesClientBuilder().build();
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2).setWorkerPoolSize(8));

    FrontProxyTrustSource trust = new FrontProxyTrustSource(client);
    refreshTrust(vertx, trust);
    vertx.setPeriodic(TRUST_REFRESH_MS, id -> refreshTrust(vertx, trust));

    SessionPreparation preparation =
        new SessionPreparation(
            client,
            new SessionAuthorizer(client),
            new PolicySource(client, config.namespace(), Instant::now),
            new NodeAgents(client, config.namespace()),
            Instant::now);
    GatewayProtections protections =
        new GatewayProtections(client, new ProtectionLease(config.protectionLease()));
    protections.sweepEvery(vertx, config.sweepInterval());
    // a replica stopped (rolling update, scale-down) releases what it holds; one killed leaves
    // holds that expire and are swept by the other replica
    Runtime.getRuntime()
        .addShutdownHook(new Thread(protections::releaseAll, "lambda-cntr-gateway-release"));
    WebSocketClientOptions agentTls =
        new WebSocketClientOptions()
            .setSslEngineOptions(tlsEngine())
            .setKeyCertOptions(
                new PemKeyCertOptions()
                    .setCertPath(config.agentClientCert().toString())
                    .setKeyPath(config.agentClientKey().toString()))
            .setTrustOptions(new PemTrustOptions().addCertPath(config.agentCa().toString()))
            // agents are reached by pod IP, which no certificate made at install can name: their
            // CA, which signs nothing else the gateway meets, is what identifies them
            .setVerifyHost(false);
    HttpServerOptions serving =
        new HttpServerOptions()
            .setPort(config.port())
            .setSsl(true)
            .setSslEngineOptions(tlsEngine())
            .setKeyCertOptions(
                new PemKeyCertOptions()
                    .setCertPath(config.servingCert().toString())
                    .setKeyPath(config.servingKey().toString()))
            .setClientAuth(ClientAuth.REQUEST)
            .setTrustOptions(TrustOptions.wrap(trust.requestingTrustManager()));
    new GatewayServer(
            vertx,
            new RequestHeaderAuthenticator(trust, Date::new),
            preparation,
            protections,
            agentTls,
            config.agentPort(),
            trust::loaded)
        .listen(serving)
        .onSuccess(
            s ->
                GatewayLog.info(
                    "lambda-cntr gateway listening on port "
                        + s.actualPort()
                        + " (TLS engine: "
                        + tlsEngineName()
                        + ")"))
        .onFailure(
            e -> {
              System.err.println(
                  "lambda-cntr-gateway: cannot listen on port "
                      + config.port()
                      + ": "
                      + e.getMessage());
              System.exit(79);
            });
  }

  /**
   * BoringSSL where its native library loads, else the JDK's engine. The gateway runs C1 only (its
   * memory), where the JDK's AES-GCM is plain Java: relaying a 128 MiB copy, 82% of its samples
   * (JFR) were in GHASH and AES, at 77% of a core for 8 MiB/s; each byte is decrypted from the API
   * server and encrypted again to the node agent.
   */
  private static SSLEngineOptions tlsEngine() {
    return OpenSSLEngineOptions.isAvailable()
        ? new OpenSSLEngineOptions()
        : new JdkSSLEngineOptions();
  }

  private static String tlsEngineName() {
    return OpenSSLEngineOptions.isAvailable()
        ? "BoringSSL " + OpenSsl.versionString()
        : "the JDK's (BoringSSL: " + OpenSsl.unavailabilityCause() + ")";
  }

  private static void refreshTrust(Vertx vertx, FrontProxyTrustSource trust) {
    vertx
        .executeBlocking(
            () -> {
              trust.refresh();
              return null;
            },
            false)
        .onFailure(e -> GatewayLog.info("front-proxy configuration not read: " + e.getMessage()));
  }
}
