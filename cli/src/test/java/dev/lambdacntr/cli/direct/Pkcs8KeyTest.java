package dev.lambdacntr.cli.direct;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import org.junit.jupiter.api.Test;

/** PKCS#8 keys made here, one per algorithm. */
class Pkcs8KeyTest {

  static PrivateKey generated(String algorithm) throws GeneralSecurityException {
    return KeyPairGenerator.getInstance(algorithm).generateKeyPair().getPrivate();
  }

  @Test
  void rsaAndEcKeysAreRead() throws GeneralSecurityException {
    for (String algorithm : new String[] {"RSA", "EC"}) {
      PrivateKey key = generated(algorithm);
      PrivateKey read = Pkcs8Key.read(key.getEncoded(), "client.key");
      assertThat(read.getAlgorithm()).isEqualTo(algorithm);
      assertThat(read.getEncoded()).isEqualTo(key.getEncoded());
    }
  }

  @Test
  void aKeyNeitherRsaNorEcIsRefusedNamingTheFile() throws GeneralSecurityException {
    byte[] ed25519 = generated("Ed25519").getEncoded();
    assertThatThrownBy(() -> Pkcs8Key.read(ed25519, "/etc/kubernetes/pki/ed.key"))
        .isInstanceOf(GeneralSecurityException.class)
        .hasMessage(
            "private key /etc/kubernetes/pki/ed.key: a PKCS#8 key that is neither RSA nor EC");
    assertThatThrownBy(() -> Pkcs8Key.read(new byte[] {0x30, 0x00}, "garbage.key"))
        .hasMessageContaining("garbage.key");
  }
}
