package dev.lambdacntr.cli.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The certificates install makes, checked with the JDK's own X.509 code. */
class ServerPkiTest {

  static final Instant NOW = Instant.parse("2026-12-05T12:00:00Z");
  static final ServerPki PKI = ServerPki.create("team-x", NOW);
  static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
  static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

  static X509Certificate cert(String pem) throws Exception {
    return (X509Certificate)
        CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
  }

  static PrivateKey key(String pem) throws Exception {
    assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----");
    String body = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    return KeyFactory.getInstance("EC")
        .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
  }

  @Test
  void theCaIsACaAndSignsEveryLeaf() throws Exception {
    X509Certificate ca = cert(PKI.caPem());
    assertThat(ca.getBasicConstraints()).isGreaterThanOrEqualTo(0);
    ca.verify(ca.getPublicKey());
    for (ServerPki.Issued leaf :
        List.of(PKI.gatewayServing(), PKI.gatewayAgentClient(), PKI.nodeAgentServer())) {
      X509Certificate c = cert(leaf.certPem());
      c.verify(ca.getPublicKey());
      assertThat(c.getBasicConstraints()).isEqualTo(-1);
      c.checkValidity(java.util.Date.from(NOW));
    }
  }

  @Test
  void eachLeafHasOneUseOnly() throws Exception {
    assertThat(cert(PKI.gatewayServing().certPem()).getExtendedKeyUsage())
        .containsExactly(SERVER_AUTH);
    assertThat(cert(PKI.gatewayAgentClient().certPem()).getExtendedKeyUsage())
        .containsExactly(CLIENT_AUTH);
    assertThat(cert(PKI.nodeAgentServer().certPem()).getExtendedKeyUsage())
        .containsExactly(SERVER_AUTH);
  }

  @Test
  void theServingCertificateNamesTheServiceTheApiServerDials() throws Exception {
    assertThat(cert(PKI.gatewayServing().certPem()).getSubjectAlternativeNames())
        .extracting(n -> (Object) n.get(1))
        .contains((Object) "lambda-cntr-gateway.team-x.svc");
  }

  @Test
  void eachKeyIsPkcs8AndBelongsToItsCertificate() throws Exception {
    for (ServerPki.Issued leaf :
        List.of(PKI.gatewayServing(), PKI.gatewayAgentClient(), PKI.nodeAgentServer())) {
      Signature signer = Signature.getInstance("SHA256withECDSA");
      signer.initSign(key(leaf.keyPem()));
      signer.update(new byte[] {1, 2, 3});
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance("SHA256withECDSA");
      verifier.initVerify(cert(leaf.certPem()).getPublicKey());
      verifier.update(new byte[] {1, 2, 3});
      assertThat(verifier.verify(signature)).isTrue();
    }
  }

  @Test
  void everyInstallMakesANewCa() throws Exception {
    X509Certificate other = cert(ServerPki.create("team-x", NOW).caPem());
    assertThatThrownBy(() -> cert(PKI.gatewayServing().certPem()).verify(other.getPublicKey()))
        .isInstanceOf(java.security.SignatureException.class);
  }
}
