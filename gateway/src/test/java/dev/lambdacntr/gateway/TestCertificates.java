package dev.lambdacntr.gateway;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
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
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Real certificates for tests: CAs and leaves signed by them (EC P-256, BouncyCastle). */
public final class TestCertificates {

  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  /** A key pair with its certificate. */
  public record Issued(KeyPair keys, X509Certificate cert) {
    public String certPem() {
      return pem(cert);
    }

    public String keyPem() {
      return pem(keys.getPrivate());
    }
  }

  private TestCertificates() {}

  /** A self-signed CA named {@code cn}. */
  public static Issued ca(String cn) {
    KeyPair keys = keys();
    try {
      X509v3CertificateBuilder builder =
          builder(
              new X500Name("CN=" + cn),
              new X500Name("CN=" + cn),
              keys,
              validFor(Duration.ofDays(1)));
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      builder.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      return new Issued(keys, sign(builder, keys));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A client certificate named {@code cn}, signed by {@code ca}. */
  public static Issued client(Issued ca, String cn) {
    return leaf(ca, cn, KeyPurposeId.id_kp_clientAuth, validFor(Duration.ofDays(1)), null);
  }

  /** A server certificate for {@code 127.0.0.1} and {@code localhost}, signed by {@code ca}. */
  public static Issued server(Issued ca, String cn) {
    return leaf(ca, cn, KeyPurposeId.id_kp_serverAuth, validFor(Duration.ofDays(1)), "127.0.0.1");
  }

  /** A leaf with one extended key usage and the given validity. */
  public static Issued leaf(Issued ca, String cn, KeyPurposeId usage, Date[] validity, String ip) {
    KeyPair keys = keys();
    try {
      X509v3CertificateBuilder builder =
          builder(
              new X500Name(ca.cert().getSubjectX500Principal().getName()),
              new X500Name("CN=" + cn),
              keys,
              validity);
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(
          Extension.keyUsage,
          true,
          new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(usage));
      if (ip != null) {
        builder.addExtension(
            Extension.subjectAlternativeName,
            false,
            new GeneralNames(
                new GeneralName[] {
                  new GeneralName(GeneralName.iPAddress, ip),
                  new GeneralName(GeneralName.dNSName, "localhost")
                }));
      }
      return new Issued(keys, sign(builder, ca.keys()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** From now minus a minute for {@code length}. */
  public static Date[] validFor(Duration length) {
    Instant from = Instant.now().minusSeconds(60);
    return new Date[] {Date.from(from), Date.from(from.plus(length))};
  }

  /** Already expired. */
  public static Date[] expired() {
    Instant now = Instant.now();
    return new Date[] {
      Date.from(now.minus(Duration.ofDays(2))), Date.from(now.minus(Duration.ofDays(1)))
    };
  }

  /** PEM of a certificate or key. */
  public static String pem(Object object) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(
          object instanceof java.security.PrivateKey k
              ? new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(k, null)
              : object);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  private static X509v3CertificateBuilder builder(
      X500Name issuer, X500Name subject, KeyPair keys, Date[] validity) {
    return new JcaX509v3CertificateBuilder(
        issuer,
        BigInteger.valueOf(SERIAL.incrementAndGet()),
        validity[0],
        validity[1],
        subject,
        keys.getPublic());
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer) {
    try {
      ContentSigner content =
          new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate());
      return new JcaX509CertificateConverter().getCertificate(builder.build(content));
    } catch (GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
      throw new IllegalStateException("cannot sign a test certificate", e);
    }
  }

  private static KeyPair keys() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(256);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
