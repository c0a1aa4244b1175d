package dev.lambdacntr.cli.direct;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.X509KeyManager;
import org.junit.jupiter.api.Test;

/** Keys and certificates made by openssl in every form a kubeconfig holds them. */
class TlsMaterialTest {

  static byte[] resource(String name) throws IOException {
    try (InputStream in = TlsMaterialTest.class.getResourceAsStream(name)) {
      return in.readAllBytes();
    }
  }

  static String text(String name) throws IOException {
    return new String(resource(name), StandardCharsets.US_ASCII);
  }

  @Test
  void rsaKeyInPkcs1AndPkcs8IsTheSameKey() throws Exception {
    PrivateKey pkcs1 = TlsMaterial.privateKey(text("rsa-pkcs1.pem"), "rsa-pkcs1.pem");
    PrivateKey pkcs8 = TlsMaterial.privateKey(text("rsa-pkcs8.pem"), "rsa-pkcs8.pem");
    assertThat(pkcs1.getAlgorithm()).isEqualTo("RSA");
    assertThat(pkcs1.getEncoded()).isEqualTo(pkcs8.getEncoded());
  }

  @Test
  void ecKeyInSec1AndPkcs8IsTheSameKey() throws Exception {
    PrivateKey sec1 = TlsMaterial.privateKey(text("ec-sec1.pem"), "ec-sec1.pem");
    PrivateKey pkcs8 = TlsMaterial.privateKey(text("ec-pkcs8.pem"), "ec-pkcs8.pem");
    assertThat(sec1.getAlgorithm()).isEqualTo("EC");
    // openssl drops the curve parameters inside the PKCS#8 form: compare the keys themselves
    assertThat(((ECPrivateKey) sec1).getS()).isEqualTo(((ECPrivateKey) pkcs8).getS());
    assertThat(((ECPrivateKey) sec1).getParams().toString())
        .isEqualTo(((ECPrivateKey) pkcs8).getParams().toString());
    assertThat(TlsMaterial.privateKey(text("ec384-sec1.pem"), "ec384-sec1.pem").getAlgorithm())
        .isEqualTo("EC");
  }

  @Test
  void clientCertificateAndKeyMakeAKeyManager() throws Exception {
    KeyManager[] managers =
        TlsMaterial.keys(
            Optional.of(resource("ec-cert.pem")),
            Optional.of(resource("ec-sec1.pem")),
            "ec-sec1.pem");
    X509KeyManager km = (X509KeyManager) managers[0];
    assertThat(km.getCertificateChain("client")[0].toString())
        .contains("CN=lambda-cntr-test-client");
    assertThat(TlsMaterial.keys(Optional.empty(), Optional.empty(), "")).isNull();
  }

  @Test
  void caCertificatesMakeATrustManager() throws Exception {
    assertThat(TlsMaterial.trust(Optional.of(resource("rsa-cert.pem")), false)).isNotEmpty();
    assertThatThrownBy(() -> TlsMaterial.trust(Optional.of(new byte[0]), false))
        .isInstanceOf(GeneralSecurityException.class);
  }

  @Test
  void garbageIsRefusedNamingTheFile() {
    assertThatThrownBy(() -> TlsMaterial.privateKey("no key here", "/pki/client.key"))
        .isInstanceOf(GeneralSecurityException.class)
        .hasMessageContaining("/pki/client.key");
    assertThatThrownBy(
            () ->
                TlsMaterial.privateKey(
                    "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n",
                    "/pki/client.key"))
        .isInstanceOf(GeneralSecurityException.class)
        .hasMessageContaining("/pki/client.key");
  }
}
