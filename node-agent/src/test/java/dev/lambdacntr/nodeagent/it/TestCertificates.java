package dev.lambdacntr.nodeagent.it;

import dev.lambdacntr.agent.it.Commands;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Certificates made with openssl for one test run: a CA that signs the node agent's server
 * certificate and the gateway's client certificate, another CA with a client of its own, and a
 * self-signed client. Keys are EC P-256; the server's is in SEC1 form ({@code BEGIN EC PRIVATE
 * KEY}), the clients' PKCS#8.
 */
record TestCertificates(Path dir) {
  static TestCertificates create(Path dir) {
    TestCertificates certs = new TestCertificates(dir);
    certs.ca("ca");
    certs.ca("other-ca");
    certs.signed("server", "ca", "subjectAltName=IP:127.0.0.1,DNS:localhost");
    certs.toSec1("server");
    certs.signed("client", "ca", "extendedKeyUsage=clientAuth");
    certs.signed("other-client", "other-ca", "extendedKeyUsage=clientAuth");
    certs.ca("self-signed"); // a certificate that is its own issuer
    return certs;
  }

  Path cert(String name) {
    return dir.resolve(name + ".crt");
  }

  Path key(String name) {
    return dir.resolve(name + ".key");
  }

  private void ca(String name) {
    openssl(
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        key(name).toString(),
        "-out",
        cert(name).toString(),
        "-days",
        "2",
        "-subj",
        "/CN=lambda-cntr-it-" + name);
  }

  private void signed(String name, String ca, String extension) {
    Path csr = dir.resolve(name + ".csr");
    Path ext = dir.resolve(name + ".ext");
    try {
      Files.writeString(ext, extension + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    openssl(
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        key(name).toString(),
        "-out",
        csr.toString(),
        "-subj",
        "/CN=lambda-cntr-it-" + name);
    openssl(
        "x509",
        "-req",
        "-in",
        csr.toString(),
        "-CA",
        cert(ca).toString(),
        "-CAkey",
        key(ca).toString(),
        "-CAcreateserial",
        "-out",
        cert(name).toString(),
        "-days",
        "2",
        "-extfile",
        ext.toString());
  }

  private void toSec1(String name) {
    Path sec1 = dir.resolve(name + ".sec1.key");
    openssl("ec", "-in", key(name).toString(), "-out", sec1.toString());
    try {
      Files.move(sec1, key(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void openssl(String... args) {
    Commands.check(
        java.util.stream.Stream.concat(List.of("openssl").stream(), List.of(args).stream())
            .toList());
  }
}
