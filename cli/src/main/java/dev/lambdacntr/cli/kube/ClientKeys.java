package dev.lambdacntr.cli.kube;

import dev.lambdacntr.cli.direct.Pkcs8Key;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.client.Config;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Optional;

/**
 * The algorithm of the kubeconfig's client key. The client library assumes RSA for a PKCS#8 key
 * ({@code BEGIN PRIVATE KEY}) and then fails on an EC key (what openssl and many clusters make);
 * reading the key's own algorithm ({@link Pkcs8Key}, as direct requests do) fixes that.
 */
final class ClientKeys {

  private ClientKeys() {}

  /**
   * Sets the client key algorithm from the key itself, when there is a key to read.
   *
   * @throws CntrException naming the key's file when it is a PKCS#8 key neither RSA nor EC
   */
  static void fixAlgorithm(Config config) {
    pem(config).flatMap(k -> algorithm(k.pem(), k.source())).ifPresent(config::setClientKeyAlgo);
  }

  /**
   * {@code RSA} or {@code EC} for a PEM private key, empty when it holds no private key (the client
   * library then says so itself).
   *
   * @param source where the key came from, for the message
   * @throws CntrException naming {@code source} when its PKCS#8 key is neither RSA nor EC
   */
  static Optional<String> algorithm(String pem, String source) {
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
    try {
      byte[] der =
          Base64.getMimeDecoder()
              .decode(pem.substring(begin + "-----BEGIN PRIVATE KEY-----".length(), end));
      return Optional.of(Pkcs8Key.read(der, source).getAlgorithm());
    } catch (IllegalArgumentException e) {
      throw new CntrException(
          ExitCode.NO_CLUSTER_CONFIG,
          "private key " + source + ": PEM block PRIVATE KEY is not base64",
          e);
    } catch (GeneralSecurityException e) {
      throw new CntrException(ExitCode.NO_CLUSTER_CONFIG, e.getMessage(), e);
    }
  }

  /** The client key's PEM text and where it came from. */
  private record Key(String pem, String source) {}

  private static Optional<Key> pem(Config config) {
    try {
      if (config.getClientKeyData() != null && !config.getClientKeyData().isBlank()) {
        return Optional.of(
            new Key(
                new String(
                    Base64.getMimeDecoder().decode(config.getClientKeyData().trim()),
                    StandardCharsets.US_ASCII),
                "client-key-data of " + user(config)));
      }
      if (config.getClientKeyFile() != null) {
        return Optional.of(
            new Key(
                Files.readString(Path.of(config.getClientKeyFile())), config.getClientKeyFile()));
      }
    } catch (IOException | IllegalArgumentException e) {
      // the client library reports an unreadable key itself
    }
    return Optional.empty();
  }

  private static String user(Config config) {
    return Optional.ofNullable(config.getCurrentContext())
        .map(NamedContext::getContext)
        .map(c -> "kubeconfig user " + c.getUser())
        .orElse("the kubeconfig's user");
  }
}
