package dev.lambdacntr.cli.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class ClientKeysTest {

  static String pkcs8(String algorithm) throws NoSuchAlgorithmException {
    byte[] der =
        KeyPairGenerator.getInstance(algorithm).generateKeyPair().getPrivate().getEncoded();
    return "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
        + "\n-----END PRIVATE KEY-----\n";
  }

  @Test
  void pkcs8KeysAreReadForTheirAlgorithm() throws NoSuchAlgorithmException {
    assertThat(ClientKeys.algorithm(pkcs8("EC"), "ec.key")).contains("EC");
    assertThat(ClientKeys.algorithm(pkcs8("RSA"), "rsa.key")).contains("RSA");
  }

  @Test
  void traditionalHeadersName() {
    assertThat(
            ClientKeys.algorithm(
                "-----BEGIN EC PRIVATE KEY-----\nxx\n-----END EC PRIVATE KEY-----", "ec.key"))
        .contains("EC");
    assertThat(ClientKeys.algorithm("-----BEGIN RSA PRIVATE KEY-----\nxx", "rsa.key"))
        .contains("RSA");
    assertThat(ClientKeys.algorithm("no key", "none.key")).isEmpty();
  }

  @Test
  void aPkcs8KeyNeitherRsaNorEcFailsNamingTheFile() {
    assertThatThrownBy(() -> ClientKeys.algorithm(pkcs8("Ed25519"), "/home/me/.kube/ed.key"))
        .isInstanceOfSatisfying(
            CntrException.class,
            e -> assertThat(e.exitCode()).isEqualTo(ExitCode.NO_CLUSTER_CONFIG))
        .hasMessageContaining("/home/me/.kube/ed.key")
        .hasMessageContaining("neither RSA nor EC");
  }
}
