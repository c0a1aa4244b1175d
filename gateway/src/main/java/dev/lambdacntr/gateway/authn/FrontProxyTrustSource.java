package dev.lambdacntr.gateway.authn;

import dev.lambdacntr.gateway.KubeCalls;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import javax.net.ssl.X509TrustManager;

/**
 * The front-proxy configuration, re-read from {@link FrontProxyTrust#REF} by {@link #refresh} (the
 * gateway calls it every {@code 30 s}, so a rotated front-proxy CA is picked up without a restart).
 * Until the first read succeeds it trusts nobody and the gateway is not ready.
 */
public final class FrontProxyTrustSource implements Supplier<FrontProxyTrust> {

  private static final FrontProxyTrust NOBODY =
      new FrontProxyTrust(List.of(), List.of(), List.of(), List.of(), List.of());

  private final KubernetesClient client;
  private final AtomicReference<FrontProxyTrust> current = new AtomicReference<>(NOBODY);
  private volatile boolean loaded;

  public FrontProxyTrustSource(KubernetesClient client) {
    this.client = client;
  }

  /** Reads the ConfigMap (blocking). */
  public void refresh() {
    current.set(
        FrontProxyTrust.fromConfigMap(
            KubeCalls.call(
                "get ConfigMap " + FrontProxyTrust.REF,
                () ->
                    client
                        .configMaps()
                        .inNamespace(FrontProxyTrust.NAMESPACE)
                        .withName(FrontProxyTrust.CONFIG_MAP)
                        .get())));
    loaded = true;
  }

  /** Whether the configuration has been read at least once. */
  public boolean loaded() {
    return loaded;
  }

  @Override
  public FrontProxyTrust get() {
    return current.get();
  }

  /**
   * The TLS layer's trust: it asks for a client certificate naming the front proxy's CAs and
   * accepts any, since {@link RequestHeaderAuthenticator} decides per request (a request without
   * the right certificate gets a 401, not a failed handshake; the kubelet's probes bring none).
   */
  public X509TrustManager requestingTrustManager() {
    return new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {
        throw new UnsupportedOperationException("the gateway's server side verifies no server");
      }

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return current.get().clientCas().toArray(X509Certificate[]::new);
      }
    };
  }
}
