package dev.lambdacntr.cli.kube;

import static org.assertj.core.api.Assertions.assertThat;

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
    assertThat(ClientKeys.algorithm(pkcs8("EC"))).contains("EC");
    assertThat(ClientKeys.algorithm(pkcs8("RSA"))).contains("RSA");
  }

  @Test
  void traditionalHeadersName() {
    assertThat(
            ClientKeys.algorithm(
                "-----BEGIN EC PRIVATE KEY-----\nxx\n-----END EC PRIVATE KEY-----"))
        .contains("EC");
    assertThat(ClientKeys.algorithm("-----BEGIN RSA PRIVATE KEY-----\nxx")).contains("RSA");
    assertThat(ClientKeys.algorithm("no key")).isEmpty();
  }
}
