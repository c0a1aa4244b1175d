package dev.lambdacntr.cli.install;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * Server mode's certificates, made at install (and made anew, so rotated, by every install): one
 * CA, and three EC P-256 leaves it signs, each for one use only.
 *
 * <ul>
 *   <li>the gateway's serving certificate for {@code lambda-cntr-gateway.NS.svc} (server auth),
 *       which the API server checks against the APIService's caBundle, the CA;
 *   <li>the gateway's client certificate for the node agents (client auth only);
 *   <li>the node agents' server certificate (server auth only).
 * </ul>
 *
 * <p>The node agents accept a client that chains to the CA with client-auth usage: the gateway's
 * client certificate is the only such certificate (the JDK's trust manager, which Netty uses,
 * checks the extended key usage), so neither a node agent's nor the serving certificate opens a
 * session. Keys are PKCS#8 PEM, which the gateway and the node agents (Vert.x) read.
 *
 * @param caPem the CA's certificate
 * @param gatewayServing the gateway's serving certificate and key
 * @param gatewayAgentClient the gateway's client certificate and key for the node agents
 * @param nodeAgentServer the node agents' certificate and key
 */
public record ServerPki(
    String caPem, Issued gatewayServing, Issued gatewayAgentClient, Issued nodeAgentServer) {

  /** The CA's lifetime; an install made before its end is needed to rotate it. */
  public static final Duration CA_LIFETIME = Duration.ofDays(3650);

  /** The leaves' lifetime. */
  public static final Duration LEAF_LIFETIME = Duration.ofDays(825);

  private static final SecureRandom RANDOM = new SecureRandom();

  /** A certificate and its private key, both PEM. */
  public record Issued(String certPem, String keyPem) {}

  /** The host name the API server uses for the gateway's Service in {@code namespace}. */
  public static String gatewayHost(String namespace) {
    return "lambda-cntr-gateway." + namespace + ".svc";
  }

  /** A new CA and the three certificates for a gateway in {@code namespace}. */
  public static ServerPki create(String namespace, Instant now) {
    try {
      KeyPair caKeys = keys();
      X500Name caName = new X500Name("CN=lambda-cntr server mode CA " + now.getEpochSecond());
      X509Certificate ca =
          sign(
              builder(caName, caName, caKeys, now, CA_LIFETIME)
                  .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                  .addExtension(
                      Extension.keyUsage,
                      true,
                      new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign)),
              caKeys);
      String host = gatewayHost(namespace);
      return new ServerPki(
          pem(ca),
          leaf(
              ca,
              caKeys,
              "lambda-cntr-gateway",
              KeyPurposeId.id_kp_serverAuth,
              List.of(host, host + ".cluster.local", "lambda-cntr-gateway." + namespace),
              now),
          leaf(ca, caKeys, "lambda-cntr-gateway", KeyPurposeId.id_kp_clientAuth, List.of(), now),
          leaf(
              ca,
              caKeys,
              "lambda-cntr-node-agent",
              KeyPurposeId.id_kp_serverAuth,
              List.of("lambda-cntr-node-agent." + namespace),
              now));
    } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
      throw new CntrException(
          ExitCode.INTERNAL, "cannot create server mode's certificates: " + e.getMessage(), e);
    }
  }

  private static Issued leaf(
      X509Certificate ca,
      KeyPair caKeys,
      String cn,
      KeyPurposeId usage,
      List<String> dnsNames,
      Instant now)
      throws GeneralSecurityException, IOException, OperatorCreationException {
    KeyPair keys = keys();
    X509v3CertificateBuilder builder =
        builder(
                X500Name.getInstance(ca.getSubjectX500Principal().getEncoded()),
                new X500Name("CN=" + cn),
                keys,
                now,
                LEAF_LIFETIME)
            .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
            .addExtension(
                Extension.keyUsage,
                true,
                new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
            .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(usage))
            .addExtension(
                Extension.authorityKeyIdentifier,
                false,
                new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(ca));
    if (!dnsNames.isEmpty()) {
      builder.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(
              dnsNames.stream()
                  .map(n -> new GeneralName(GeneralName.dNSName, n))
                  .toArray(GeneralName[]::new)));
    }
    return new Issued(pem(sign(builder, caKeys)), pem(keys.getPrivate()));
  }

  private static X509v3CertificateBuilder builder(
      X500Name issuer, X500Name subject, KeyPair keys, Instant now, Duration lifetime)
      throws GeneralSecurityException, IOException {
    // a little in the past, for nodes whose clocks lag
    Instant from = now.minus(Duration.ofMinutes(5));
    return new JcaX509v3CertificateBuilder(
            issuer,
            new BigInteger(127, RANDOM).add(BigInteger.ONE),
            Date.from(from),
            Date.from(now.plus(lifetime)),
            subject,
            keys.getPublic())
        .addExtension(
            Extension.subjectKeyIdentifier,
            false,
            new JcaX509ExtensionUtils().createSubjectKeyIdentifier(keys.getPublic()));
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer)
      throws GeneralSecurityException, OperatorCreationException {
    return new JcaX509CertificateConverter()
        .getCertificate(
            builder.build(
                new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
  }

  private static KeyPair keys() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
    return generator.generateKeyPair();
  }

  private static String pem(Object object) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      // a private key is written as PKCS#8 ("PRIVATE KEY") through its encoded form
      writer.writeObject(
          object instanceof PrivateKey key
              ? new PemObject("PRIVATE KEY", key.getEncoded())
              : object);
    }
    return out.toString();
  }
}
