package dev.lambdacntr.cli.direct;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;

/**
 * A PKCS#8 private key ({@code BEGIN PRIVATE KEY}), which does not say its algorithm in the PEM
 * header: RSA or EC, the two a kubeconfig's client key is, tried in that order. The one place both
 * the direct requests' TLS material and the client library's key algorithm ({@code ClientKeys})
 * read such a key.
 */
public final class Pkcs8Key {

  private static final String[] ALGORITHMS = {"RSA", "EC"};

  private Pkcs8Key() {}

  /**
   * The key in {@code der}, a PrivateKeyInfo.
   *
   * @param source where the key came from (a file, or the kubeconfig field), for the message
   * @throws GeneralSecurityException naming {@code source} when the key is neither RSA nor EC
   */
  public static PrivateKey read(byte[] der, String source) throws GeneralSecurityException {
    GeneralSecurityException last = null;
    for (String algorithm : ALGORITHMS) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        last = e;
      }
    }
    throw new GeneralSecurityException(
        "private key " + source + ": a PKCS#8 key that is neither RSA nor EC", last);
  }
}
