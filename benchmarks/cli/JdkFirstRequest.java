import java.io.FileInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The JVM's floor for the first API request of a session (benchmarks/lib/cli_startup.py): the
 * JDK's HTTP client alone, trusting one CA and sending a bearer token, as the CLI's direct requests
 * do, with nothing of lambda-cntr loaded. Usage: {@code JdkFirstRequest CA_PEM URL TIMEOUT_MS};
 * it ends with status 0 when the server does not answer in time (the AOT cache's training run).
 */
public final class JdkFirstRequest {
  public static void main(String[] args) throws Exception {
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    try (var in = new FileInputStream(args[0])) {
      trusted.setCertificateEntry(
          "ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory trust = TrustManagerFactory.getInstance("PKIX");
    trust.init(trusted);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, trust.getTrustManagers(), null);
    HttpClient client =
        HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1).build();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(args[1]))
            .header("Authorization", "Bearer dummy-token")
            .timeout(Duration.ofMillis(Long.parseLong(args[2])))
            .build();
    try {
      client.send(request, HttpResponse.BodyHandlers.discarding());
    } catch (java.net.http.HttpTimeoutException e) {
      System.exit(0);
    }
  }
}
