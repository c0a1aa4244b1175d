package dev.lambdacntr.cli.kube;

import io.fabric8.kubernetes.client.Config;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Optional;

/**
 * The algorithm of the kubeconfig's client key. The client library assumes RSA for a PKCS#8 key
 * ({@code BEGIN PRIVATE KEY}) and then fails on an EC key (what openssl and many clusters make);
 * reading the key's own algorithm fixes that.
 */
final class ClientKeys {

  private ClientKeys() {}

  /** Sets the client key algorithm from the key itself, when there is a key to read. */
  static void fixAlgorithm(Config config) {
    pem(config).flatMap(ClientKeys::algorithm).ifPresent(config::setClientKeyAlgo);
  }

  /** {@code RSA} or {@code EC} for a PEM private key, empty when it cannot tell. */
  static Optional<String> algorithm(String pem) {
    if (pem.contains("BEGIN EC PRIVATE KEY")) {
      return Optional.of("EC");
    }
    if (pem.contains("BEGIN RSA PRIVATE KEY")) {
      return Optional.of("RSA");
    }
    int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
    int end = pem.indexOf("-----END PRIVATE KEY-----");
    if (begin < 0 || end < begin) {
      return Optional.empty();
    }
    byte[] der =
        Base64.getMimeDecoder()
            .decode(pem.substring(begin + "-----BEGIN PRIVATE KEY-----".length(), end));
    for (String algorithm : new String[] {"RSA", "EC"}) {
      try {
        KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
        return Optional.of(algorithm);
      } catch (GeneralSecurityException e) {
        // not this one
      }
    }
    return Optional.empty();
  }

  private static Optional<String> pem(Config config) {
    try {
      if (config.getClientKeyData() != null && !config.getClientKeyData().isBlank()) {
        return Optional.of(
            new String(
                Base64.getMimeDecoder().decode(config.getClientKeyData().trim()),
                StandardCharsets.US_ASCII));
      }
      if (config.getClientKeyFile() != null) {
        return Optional.of(Files.readString(Path.of(config.getClientKeyFile())));
      }
    } catch (IOException | IllegalArgumentException e) {
      // the client library reports an unreadable key itself
    }
    return Optional.empty();
  }
}
