package dev.lambdacntr.cli.kube;

import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientImpl;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.InetAddress;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The JDK transport, with {@code close} really closing the JDK clients it built. The library only
 * stops their executor; the client's selector thread then stays in {@code epoll_wait}, native code,
 * and at exit the JVM waits 300 ms for such threads (measured; benchmarks/cli/README.md).
 */
public final class ClosingHttpClientFactory extends JdkHttpClientFactory {

  private final List<HttpClient> built = new CopyOnWriteArrayList<>();

  @Override
  protected HttpClient.Builder createNewHttpClientBuilder() {
    return new Recording(super.createNewHttpClientBuilder());
  }

  @Override
  protected void closeHttpClient(JdkHttpClientImpl client) {
    super.closeHttpClient(client);
    built.forEach(HttpClient::shutdownNow);
    built.clear();
  }

  /** A builder that remembers what it built. */
  private final class Recording implements HttpClient.Builder {
    private final HttpClient.Builder builder;

    Recording(HttpClient.Builder builder) {
      this.builder = builder;
    }

    @Override
    public HttpClient.Builder cookieHandler(CookieHandler cookieHandler) {
      builder.cookieHandler(cookieHandler);
      return this;
    }

    @Override
    public HttpClient.Builder connectTimeout(Duration duration) {
      builder.connectTimeout(duration);
      return this;
    }

    @Override
    public HttpClient.Builder sslContext(SSLContext sslContext) {
      builder.sslContext(sslContext);
      return this;
    }

    @Override
    public HttpClient.Builder sslParameters(SSLParameters sslParameters) {
      builder.sslParameters(sslParameters);
      return this;
    }

    @Override
    public HttpClient.Builder executor(Executor executor) {
      builder.executor(executor);
      return this;
    }

    @Override
    public HttpClient.Builder followRedirects(HttpClient.Redirect policy) {
      builder.followRedirects(policy);
      return this;
    }

    @Override
    public HttpClient.Builder version(HttpClient.Version version) {
      builder.version(version);
      return this;
    }

    @Override
    public HttpClient.Builder priority(int priority) {
      builder.priority(priority);
      return this;
    }

    @Override
    public HttpClient.Builder proxy(ProxySelector proxySelector) {
      builder.proxy(proxySelector);
      return this;
    }

    @Override
    public HttpClient.Builder authenticator(Authenticator authenticator) {
      builder.authenticator(authenticator);
      return this;
    }

    @Override
    public HttpClient.Builder localAddress(InetAddress localAddr) {
      builder.localAddress(localAddr);
      return this;
    }

    @Override
    public HttpClient build() {
      HttpClient client = builder.build();
      built.add(client);
      return client;
    }
  }
}
