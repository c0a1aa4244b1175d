package dev.lambdacntr.gateway.authn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lambdacntr.gateway.TestCertificates;
import dev.lambdacntr.gateway.TestCertificates.Issued;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.Test;

class RequestHeaderAuthenticatorTest {

  static final Issued FRONT_PROXY_CA = TestCertificates.ca("front-proxy-ca");
  static final Issued PROXY_CLIENT = TestCertificates.client(FRONT_PROXY_CA, "front-proxy-client");

  static final FrontProxyTrust TRUST =
      FrontProxyTrust.fromConfigMap(
          new ConfigMapBuilder()
              .withNewMetadata()
              .withName("extension-apiserver-authentication")
              .endMetadata()
              .addToData("requestheader-client-ca-file", FRONT_PROXY_CA.certPem())
              .addToData("requestheader-allowed-names", "[\"front-proxy-client\"]")
              .addToData("requestheader-username-headers", "[\"X-Remote-User\"]")
              .addToData("requestheader-group-headers", "[\"X-Remote-Group\"]")
              .addToData("requestheader-extra-headers-prefix", "[\"X-Remote-Extra-\"]")
              .build());

  static final List<Map.Entry<String, String>> HEADERS =
      List.of(
          Map.entry("x-remote-user", "dev-a"),
          Map.entry("X-Remote-Group", "team-a"),
          Map.entry("X-Remote-Group", "system:authenticated"),
          Map.entry("X-Remote-Extra-Scopes%2fFoo", "x"),
          Map.entry("X-Remote-Extra-scopes%2ffoo", "y"),
          Map.entry("Host", "gateway"));

  final RequestHeaderAuthenticator authenticator =
      new RequestHeaderAuthenticator(() -> TRUST, Date::new);

  @Test
  void theFrontProxysCertificateMakesTheHeadersCount() {
    UserInfo user = authenticator.authenticate(List.of(PROXY_CLIENT.cert()), HEADERS);
    assertThat(user.name()).isEqualTo("dev-a");
    assertThat(user.groups()).containsExactly("team-a", "system:authenticated");
    assertThat(user.extra()).isEqualTo(Map.of("scopes/foo", List.of("x", "y")));
  }

  @Test
  void theCaSentAlongInTheChainIsAccepted() {
    UserInfo user =
        authenticator.authenticate(List.of(PROXY_CLIENT.cert(), FRONT_PROXY_CA.cert()), HEADERS);
    assertThat(user.name()).isEqualTo("dev-a");
  }

  @Test
  void noCertificateIsUnauthenticated() {
    assertUnauthenticated(List.of(), "no client certificate");
  }

  @Test
  void aCertificateOfAnotherCaIsUnauthenticated() {
    Issued other = TestCertificates.ca("front-proxy-ca"); // same name, other key
    Issued forged = TestCertificates.client(other, "front-proxy-client");
    assertUnauthenticated(List.of(forged.cert()), "does not verify");
  }

  @Test
  void aNameThatIsNotAllowedIsUnauthenticated() {
    Issued kubelet = TestCertificates.client(FRONT_PROXY_CA, "system:node:worker");
    assertUnauthenticated(List.of(kubelet.cert()), "system:node:worker is not one of");
  }

  @Test
  void anExpiredCertificateIsUnauthenticated() {
    Issued old =
        TestCertificates.leaf(
            FRONT_PROXY_CA,
            "front-proxy-client",
            KeyPurposeId.id_kp_clientAuth,
            TestCertificates.expired(),
            null);
    assertUnauthenticated(List.of(old.cert()), "does not verify");
  }

  @Test
  void aServerOnlyCertificateIsUnauthenticated() {
    Issued server =
        TestCertificates.leaf(
            FRONT_PROXY_CA,
            "front-proxy-client",
            KeyPurposeId.id_kp_serverAuth,
            TestCertificates.validFor(Duration.ofHours(1)),
            null);
    assertUnauthenticated(List.of(server.cert()), "not meant for client authentication");
  }

  @Test
  void withoutAUserHeaderNobodyIsAuthenticated() {
    assertThatThrownBy(
            () ->
                authenticator.authenticate(
                    List.of(PROXY_CLIENT.cert()), List.of(Map.entry("X-Remote-Group", "a"))))
        .isInstanceOf(CntrException.class)
        .hasMessageContaining("named no user");
  }

  @Test
  void withoutTheConfigMapNobodyIsAuthenticated() {
    RequestHeaderAuthenticator nobody =
        new RequestHeaderAuthenticator(() -> FrontProxyTrust.fromConfigMap(null), Date::new);
    assertThatThrownBy(() -> nobody.authenticate(List.of(PROXY_CLIENT.cert()), HEADERS))
        .isInstanceOf(CntrException.class)
        .hasMessageContaining("no front-proxy client CA is configured");
  }

  @Test
  void anEmptyAllowedNamesListAcceptsAnyNameOfTheCa() {
    FrontProxyTrust anyName =
        new FrontProxyTrust(
            TRUST.clientCas(),
            List.of(),
            TRUST.usernameHeaders(),
            TRUST.groupHeaders(),
            TRUST.extraHeaderPrefixes());
    Issued other = TestCertificates.client(FRONT_PROXY_CA, "aggregator");
    assertThat(
            new RequestHeaderAuthenticator(() -> anyName, Date::new)
                .authenticate(List.of(other.cert()), HEADERS)
                .name())
        .isEqualTo("dev-a");
  }

  void assertUnauthenticated(List<? extends Certificate> chain, String why) {
    assertThatThrownBy(() -> authenticator.authenticate(chain, HEADERS))
        .isInstanceOf(CntrException.class)
        .hasMessageContaining(why)
        .extracting(e -> ((CntrException) e).exitCode())
        .isEqualTo(ExitCode.UNAUTHENTICATED);
  }
}
