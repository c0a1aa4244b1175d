package dev.lambdacntr.gateway.authn;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.ObjectMapper;

/**
 * What the API server tells its extensions about its front proxy: the CA its client certificate
 * chains to, the names that certificate may have, and the headers that carry the user. Read from
 * ConfigMap {@code kube-system/extension-apiserver-authentication}.
 *
 * @param clientCas the front proxy's client CA certificates ({@code requestheader-client-ca-file})
 * @param allowedNames the common names the client certificate may have; empty means any
 * @param usernameHeaders the headers naming the user, the first non-empty one counts
 * @param groupHeaders the headers naming the groups, every value counts
 * @param extraHeaderPrefixes the prefixes of the headers carrying extra attributes
 */
public record FrontProxyTrust(
    List<X509Certificate> clientCas,
    List<String> allowedNames,
    List<String> usernameHeaders,
    List<String> groupHeaders,
    List<String> extraHeaderPrefixes) {

  public static final String NAMESPACE = "kube-system";
  public static final String CONFIG_MAP = "extension-apiserver-authentication";
  public static final String REF = NAMESPACE + "/" + CONFIG_MAP;

  private static final ObjectMapper JSON = new ObjectMapper();

  public FrontProxyTrust {
    clientCas = List.copyOf(clientCas);
    allowedNames = List.copyOf(allowedNames);
    usernameHeaders = List.copyOf(usernameHeaders);
    groupHeaders = List.copyOf(groupHeaders);
    extraHeaderPrefixes = List.copyOf(extraHeaderPrefixes);
  }

  /** Reads the ConfigMap's {@code requestheader-*} keys; a missing CA trusts nobody. */
  public static FrontProxyTrust fromConfigMap(ConfigMap configMap) {
    Map<String, String> data =
        configMap == null || configMap.getData() == null ? Map.of() : configMap.getData();
    return new FrontProxyTrust(
        certificates(data.get("requestheader-client-ca-file")),
        jsonList(data, "requestheader-allowed-names"),
        jsonList(data, "requestheader-username-headers"),
        jsonList(data, "requestheader-group-headers"),
        jsonList(data, "requestheader-extra-headers-prefix"));
  }

  /** Every certificate of a PEM bundle, in order; none for a missing bundle. */
  public static List<X509Certificate> certificates(String pem) {
    if (pem == null || pem.isBlank()) {
      return List.of();
    }
    try {
      return CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))
          .stream()
          .map(X509Certificate.class::cast)
          .toList();
    } catch (CertificateException e) {
      throw new CntrException(
          ExitCode.INTERNAL,
          "cannot read requestheader-client-ca-file of ConfigMap " + REF + ": " + e.getMessage(),
          e);
    }
  }

  private static List<String> jsonList(Map<String, String> data, String key) {
    String value = data.get(key);
    if (value == null || value.isBlank()) {
      return List.of();
    }
    try {
      return JSON.readValue(value, new TypeReference<List<String>>() {}).stream()
          .filter(Objects::nonNull)
          .filter(s -> !s.isBlank())
          .toList();
    } catch (JacksonException e) {
      throw new CntrException(
          ExitCode.INTERNAL,
          key + " of ConfigMap " + REF + " is not a JSON list of strings: " + value,
          e);
    }
  }
}
