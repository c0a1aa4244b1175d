package dev.lambdacntr.gateway.authn;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * Authenticates the API server as the front proxy and takes the user from its headers, as the API
 * server's own request-header authenticator does: the client certificate must chain to the front
 * proxy's client CA, be meant for client authentication and, when names are configured, have one of
 * them as its common name. Only then do the headers count; anything else is refused with {@link
 * ExitCode#UNAUTHENTICATED} (HTTP 401).
 */
public final class RequestHeaderAuthenticator {

  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  private static final String ANY_USAGE = "2.5.29.37.0";

  private final Supplier<FrontProxyTrust> trust;
  private final Supplier<Date> clock;

  /**
   * @param trust the current front-proxy configuration (re-read as the ConfigMap changes)
   * @param clock the time certificates are checked at
   */
  public RequestHeaderAuthenticator(Supplier<FrontProxyTrust> trust, Supplier<Date> clock) {
    this.trust = trust;
    this.clock = clock;
  }

  /**
   * The user of a request.
   *
   * @param peerChain the TLS client's certificate chain, leaf first (empty without one)
   * @param headers the request's headers, names in any case
   */
  public UserInfo authenticate(
      List<? extends Certificate> peerChain, Iterable<Map.Entry<String, String>> headers) {
    FrontProxyTrust current = trust.get();
    X509Certificate leaf = verifiedLeaf(current, peerChain);
    String cn = commonName(leaf);
    if (!current.allowedNames().isEmpty() && !current.allowedNames().contains(cn)) {
      throw unauthenticated(
          "the client certificate's common name "
              + cn
              + " is not one of requestheader-allowed-names "
              + current.allowedNames()
              + " of ConfigMap "
              + FrontProxyTrust.REF);
    }
    String user =
        current.usernameHeaders().stream()
            .flatMap(h -> values(headers, h).stream())
            .filter(v -> !v.isEmpty())
            .findFirst()
            .orElseThrow(
                () ->
                    unauthenticated(
                        "the front proxy named no user (headers "
                            + current.usernameHeaders()
                            + ")"));
    List<String> groups =
        current.groupHeaders().stream().flatMap(h -> values(headers, h).stream()).toList();
    return new UserInfo(user, groups, extra(current, headers));
  }

  private X509Certificate verifiedLeaf(
      FrontProxyTrust current, List<? extends Certificate> peerChain) {
    if (peerChain.isEmpty() || !(peerChain.get(0) instanceof X509Certificate leaf)) {
      throw unauthenticated("the request has no client certificate");
    }
    if (current.clientCas().isEmpty()) {
      throw unauthenticated(
          "no front-proxy client CA is configured (requestheader-client-ca-file of ConfigMap "
              + FrontProxyTrust.REF
              + ")");
    }
    try {
      Set<TrustAnchor> anchors =
          current.clientCas().stream()
              .map(ca -> new TrustAnchor(ca, null))
              .collect(Collectors.toSet());
      PKIXParameters params = new PKIXParameters(anchors);
      params.setRevocationEnabled(false);
      params.setDate(clock.get());
      List<Certificate> path = new ArrayList<>(peerChain);
      // the anchor itself does not belong in the path (a client may send it along)
      path.removeIf(c -> c instanceof X509Certificate x && current.clientCas().contains(x));
      if (path.isEmpty()) {
        throw unauthenticated("the client certificate is the CA itself");
      }
      CertPathValidator.getInstance("PKIX")
          .validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
    } catch (GeneralSecurityException e) {
      throw unauthenticated(
          "the client certificate "
              + leaf.getSubjectX500Principal().getName()
              + " does not verify against the front proxy's client CA: "
              + e.getMessage());
    }
    requireClientUsage(leaf);
    return leaf;
  }

  private static void requireClientUsage(X509Certificate leaf) {
    List<String> usages;
    try {
      usages = leaf.getExtendedKeyUsage();
    } catch (CertificateParsingException e) {
      throw unauthenticated("the client certificate's extended key usage is unreadable");
    }
    if (usages != null && !usages.contains(CLIENT_AUTH) && !usages.contains(ANY_USAGE)) {
      throw unauthenticated("the client certificate is not meant for client authentication");
    }
  }

  static String commonName(X509Certificate cert) {
    try {
      for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          return rdn.getValue().toString();
        }
      }
    } catch (InvalidNameException e) {
      throw unauthenticated("the client certificate's subject is unreadable");
    }
    return "";
  }

  private static Map<String, List<String>> extra(
      FrontProxyTrust current, Iterable<Map.Entry<String, String>> headers) {
    Map<String, List<String>> extra = new LinkedHashMap<>();
    for (Map.Entry<String, String> header : headers) {
      String name = header.getKey().toLowerCase(Locale.ROOT);
      for (String prefix : current.extraHeaderPrefixes()) {
        String p = prefix.toLowerCase(Locale.ROOT);
        if (name.startsWith(p) && name.length() > p.length()) {
          String key = URLDecoder.decode(name.substring(p.length()), StandardCharsets.UTF_8);
          extra.computeIfAbsent(key, k -> new ArrayList<>()).add(header.getValue());
        }
      }
    }
    return extra;
  }

  private static List<String> values(Iterable<Map.Entry<String, String>> headers, String name) {
    List<String> values = new ArrayList<>();
    for (Map.Entry<String, String> header : headers) {
      if (header.getKey().equalsIgnoreCase(name)) {
        values.add(header.getValue());
      }
    }
    return values;
  }

  private static CntrException unauthenticated(String why) {
    return new CntrException(ExitCode.UNAUTHENTICATED, "request not authenticated: " + why);
  }
}
