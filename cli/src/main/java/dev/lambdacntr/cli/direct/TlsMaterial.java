package dev.lambdacntr.cli.direct;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Key and trust managers from the kubeconfig's PEM data: the CA certificates to trust, the client
 * certificate chain and its key in PKCS#8 ({@code BEGIN PRIVATE KEY}), PKCS#1 ({@code BEGIN RSA
 * PRIVATE KEY}) or SEC1 ({@code BEGIN EC PRIVATE KEY}) form. Pure.
 */
public final class TlsMaterial {

  private static final byte[] RSA_ALGORITHM = {
    0x30,
    0x0d,
    0x06,
    0x09,
    0x2a,
    (byte) 0x86,
    0x48,
    (byte) 0x86,
    (byte) 0xf7,
    0x0d,
    0x01,
    0x01,
    0x01,
    0x05,
    0x00
  };
  private static final byte[] EC_PUBLIC_KEY_OID = {
    0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01
  };

  private TlsMaterial() {}

  /** Trust managers for {@code caPem}; a trust-all manager when {@code insecure}. */
  public static TrustManager[] trust(Optional<byte[]> caPem, boolean insecure)
      throws GeneralSecurityException {
    if (insecure) {
      return new TrustManager[] {new TrustAll()};
    }
    if (caPem.isEmpty()) {
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init((KeyStore) null);
      return tmf.getTrustManagers();
    }
    KeyStore store = emptyStore();
    int i = 0;
    for (Certificate cert : certificates(caPem.get())) {
      store.setCertificateEntry("ca-" + i++, cert);
    }
    if (i == 0) {
      throw new GeneralSecurityException("the certificate authority data holds no certificate");
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(store);
    return tmf.getTrustManagers();
  }

  /**
   * Key managers for a client certificate chain and key; none without them.
   *
   * @param keySource where the key came from, for the messages
   */
  public static KeyManager[] keys(
      Optional<byte[]> certPem, Optional<byte[]> keyPem, String keySource)
      throws GeneralSecurityException {
    if (certPem.isEmpty() || keyPem.isEmpty()) {
      return null;
    }
    Certificate[] chain = certificates(certPem.get()).toArray(Certificate[]::new);
    if (chain.length == 0) {
      throw new GeneralSecurityException("the client certificate data holds no certificate");
    }
    PrivateKey key = privateKey(new String(keyPem.get(), StandardCharsets.US_ASCII), keySource);
    X509Certificate[] x509 = new X509Certificate[chain.length];
    for (int i = 0; i < chain.length; i++) {
      x509[i] = (X509Certificate) chain[i];
    }
    // Not through a PKCS#12 key store: it encrypts the key with 10,000 rounds of PBKDF2 on the way
    // in and again on the way out, 0.1-0.2 s in a young JVM (measured on the test bed).
    return new KeyManager[] {new ClientKey(key, x509)};
  }

  /**
   * The private key of a PEM block in any of the three forms.
   *
   * @param source where the PEM came from, for the messages
   */
  static PrivateKey privateKey(String pem, String source) throws GeneralSecurityException {
    if (pem.contains("-----BEGIN PRIVATE KEY-----")) {
      return Pkcs8Key.read(block(pem, "PRIVATE KEY", source), source);
    }
    if (pem.contains("-----BEGIN RSA PRIVATE KEY-----")) {
      byte[] pkcs1 = block(pem, "RSA PRIVATE KEY", source);
      return generate("RSA", wrapPkcs8(RSA_ALGORITHM, pkcs1), source);
    }
    if (pem.contains("-----BEGIN EC PRIVATE KEY-----")) {
      byte[] sec1 = block(pem, "EC PRIVATE KEY", source);
      byte[] curve;
      try {
        curve = ecCurveOid(sec1);
      } catch (GeneralSecurityException e) {
        throw new GeneralSecurityException("private key " + source + ": " + e.getMessage(), e);
      }
      byte[] algorithm = sequence(concat(EC_PUBLIC_KEY_OID, curve));
      return generate("EC", wrapPkcs8(algorithm, sec1), source);
    }
    throw new GeneralSecurityException(
        "private key " + source + ": no PEM private key (PKCS#8, RSA or EC)");
  }

  private static PrivateKey generate(String algorithm, byte[] pkcs8, String source)
      throws GeneralSecurityException {
    try {
      return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
    } catch (GeneralSecurityException e) {
      throw new GeneralSecurityException(
          "private key " + source + ": unreadable " + algorithm + " key", e);
    }
  }

  /** PrivateKeyInfo: SEQUENCE { INTEGER 0, algorithm, OCTET STRING key }. */
  private static byte[] wrapPkcs8(byte[] algorithm, byte[] key) {
    return sequence(concat(new byte[] {0x02, 0x01, 0x00}, algorithm, tlv(0x04, key)));
  }

  /**
   * The named curve of a SEC1 ECPrivateKey: SEQUENCE { INTEGER 1, OCTET STRING, [0] { OID }, ... }.
   */
  static byte[] ecCurveOid(byte[] sec1) throws GeneralSecurityException {
    Der seq = new Der(sec1, 0);
    if (seq.tag != 0x30) {
      throw new GeneralSecurityException("EC key: not a DER sequence");
    }
    int p = seq.contentStart;
    int end = seq.contentStart + seq.length;
    while (p < end) {
      Der item = new Der(sec1, p);
      if (item.tag == 0xa0) {
        Der oid = new Der(sec1, item.contentStart);
        if (oid.tag != 0x06) {
          break;
        }
        return Arrays.copyOfRange(sec1, item.contentStart, oid.contentStart + oid.length);
      }
      p = item.contentStart + item.length;
    }
    throw new GeneralSecurityException("EC key without named curve parameters");
  }

  private static Collection<? extends Certificate> certificates(byte[] pem)
      throws GeneralSecurityException {
    return CertificateFactory.getInstance("X.509")
        .generateCertificates(new ByteArrayInputStream(pem));
  }

  private static byte[] block(String pem, String type, String source)
      throws GeneralSecurityException {
    String begin = "-----BEGIN " + type + "-----";
    String end = "-----END " + type + "-----";
    int b = pem.indexOf(begin);
    int e = pem.indexOf(end, b);
    if (b < 0 || e < 0) {
      throw new GeneralSecurityException(
          "private key " + source + ": PEM block " + type + " not terminated");
    }
    try {
      return Base64.getMimeDecoder().decode(pem.substring(b + begin.length(), e));
    } catch (IllegalArgumentException x) {
      throw new GeneralSecurityException(
          "private key " + source + ": PEM block " + type + " is not base64", x);
    }
  }

  private static KeyStore emptyStore() throws GeneralSecurityException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try {
      store.load(null, null);
    } catch (java.io.IOException e) {
      throw new GeneralSecurityException("cannot create a key store", e);
    }
    return store;
  }

  private static byte[] sequence(byte[] content) {
    return tlv(0x30, content);
  }

  private static byte[] tlv(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int n = content.length;
    if (n < 0x80) {
      out.write(n);
    } else if (n < 0x100) {
      out.write(0x81);
      out.write(n);
    } else if (n < 0x10000) {
      out.write(0x82);
      out.write(n >> 8);
      out.write(n & 0xff);
    } else {
      out.write(0x83);
      out.write(n >> 16);
      out.write((n >> 8) & 0xff);
      out.write(n & 0xff);
    }
    out.writeBytes(content);
    return out.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /** One DER tag-length header. */
  private static final class Der {
    final int tag;
    final int length;
    final int contentStart;

    Der(byte[] der, int offset) throws GeneralSecurityException {
      if (offset + 2 > der.length) {
        throw new GeneralSecurityException("EC key: truncated DER");
      }
      tag = der[offset] & 0xff;
      int first = der[offset + 1] & 0xff;
      if (first < 0x80) {
        length = first;
        contentStart = offset + 2;
      } else {
        int bytes = first & 0x7f;
        if (bytes > 3 || offset + 2 + bytes > der.length) {
          throw new GeneralSecurityException("EC key: bad DER length");
        }
        int n = 0;
        for (int i = 0; i < bytes; i++) {
          n = (n << 8) | (der[offset + 2 + i] & 0xff);
        }
        length = n;
        contentStart = offset + 2 + bytes;
      }
      if (contentStart + length > der.length) {
        throw new GeneralSecurityException("EC key: truncated DER");
      }
    }
  }

  /** The kubeconfig's one client certificate and key, offered whatever the server asks. */
  private static final class ClientKey extends X509ExtendedKeyManager {
    private static final String ALIAS = "client";
    private final PrivateKey key;
    private final X509Certificate[] chain;

    ClientKey(PrivateKey key, X509Certificate[] chain) {
      this.key = key;
      this.chain = chain.clone();
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return new String[] {ALIAS};
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      return ALIAS;
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
      return ALIAS;
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return new String[0];
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return ALIAS.equals(alias) ? chain.clone() : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return ALIAS.equals(alias) ? key : null;
    }
  }

  /** {@code insecure-skip-tls-verify: true}: the user asked not to check the server. */
  private static final class TrustAll extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
