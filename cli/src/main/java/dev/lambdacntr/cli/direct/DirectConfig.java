package dev.lambdacntr.cli.direct;

import java.util.Optional;

/**
 * How direct requests reach the API server, read from the kubeconfig.
 *
 * @param server the API server's base URL ({@code https://...})
 * @param context the context's name
 * @param user the context's user entry (a local name, for the audit event's fallback)
 * @param namespace the context's namespace, if it sets one
 * @param caPem the certificate authorities to trust (PEM); empty for the JDK's default ones
 * @param insecure {@code insecure-skip-tls-verify}: trust any server certificate
 * @param certPem the client certificate chain (PEM), with {@code keyPem}
 * @param keyPem the client key (PEM: PKCS#8, PKCS#1 RSA or SEC1 EC)
 * @param keySource where {@code keyPem} came from (its file, or the user's {@code client-key-data}
 *     and the kubeconfig that holds it), for messages; empty without a key
 * @param token a bearer token
 */
public record DirectConfig(
    String server,
    String context,
    String user,
    Optional<String> namespace,
    Optional<byte[]> caPem,
    boolean insecure,
    Optional<byte[]> certPem,
    Optional<byte[]> keyPem,
    String keySource,
    Optional<String> token) {}
