package dev.lambdacntr.cli.install;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Server mode's objects as {@code lambda-cntr install} applies them: manifests/server/*.yaml
 * (bundled in the CLI's jar) with the namespace, the image and the APIService's caBundle filled in,
 * and the three Secrets of the {@link ServerPki}. Pure: no API calls.
 */
public final class ServerManifests {

  /** The namespace the manifests are written for. */
  public static final String DEFAULT_NAMESPACE = "lambda-cntr-system";

  /** The manifests, in the order they are applied (the namespace first, the APIService last). */
  public static final List<String> FILES =
      List.of(
          "namespace.yaml",
          "gateway-rbac.yaml",
          "debugger-role.yaml",
          "gateway.yaml",
          "node-agent.yaml",
          "apiservice.yaml");

  /** The APIService's name. */
  public static final String API_SERVICE = "v1alpha1.cntr.lambda-cntr.dev";

  public static final String GATEWAY = "lambda-cntr-gateway";
  public static final String NODE_AGENT = "lambda-cntr-node-agent";
  public static final String GATEWAY_SERVING_SECRET = "lambda-cntr-gateway-serving";
  public static final String GATEWAY_AGENT_CLIENT_SECRET = "lambda-cntr-gateway-agent-client";
  public static final String NODE_AGENT_SECRET = "lambda-cntr-node-agent-tls";

  /** On the pod templates: a new CA restarts the gateway and the agents, which read it at start. */
  public static final String PKI_ANNOTATION = "lambda-cntr.dev/ca-sha256";

  private static final String RESOURCES = "/dev/lambdacntr/cli/install/server/";
  private static final KubernetesSerialization YAML = new KubernetesSerialization();

  private ServerManifests() {}

  /** The bundled manifests as written (namespace {@value #DEFAULT_NAMESPACE}, placeholders). */
  public static List<GenericKubernetesResource> bundled() {
    List<GenericKubernetesResource> objects = new ArrayList<>();
    for (String file : FILES) {
      try (InputStream in = ServerManifests.class.getResourceAsStream(RESOURCES + file)) {
        if (in == null) {
          throw new IllegalStateException("resource " + RESOURCES + file + " is missing");
        }
        String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        for (String document : text.split("(?m)^---\\s*$")) {
          if (document.lines().anyMatch(l -> !l.isBlank() && !l.trim().startsWith("#"))) {
            objects.add(YAML.unmarshal(document, GenericKubernetesResource.class));
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + RESOURCES + file, e);
      }
    }
    return objects;
  }

  /** Every object install applies, in order: the manifests, filled in, and the Secrets first. */
  public static List<GenericKubernetesResource> forInstall(
      String namespace, String image, ServerPki pki) {
    String caHash = sha256(pki.caPem());
    List<GenericKubernetesResource> objects = new ArrayList<>();
    for (GenericKubernetesResource o : bundled()) {
      inNamespace(o, namespace);
      switch (o.getKind()) {
        case "Deployment", "DaemonSet" -> {
          Map<String, Object> template = map(map(o.getAdditionalProperties(), "spec"), "template");
          Map<String, Object> metadata = map(template, "metadata");
          Map<String, Object> annotations = map(metadata, "annotations");
          annotations.put(PKI_ANNOTATION, caHash);
          for (Object c : list(map(template, "spec"), "containers")) {
            @SuppressWarnings("unchecked")
            Map<String, Object> container = (Map<String, Object>) c;
            container.put("image", image);
          }
        }
        case "ConfigMap" -> {
          Map<String, Object> data = map(o.getAdditionalProperties(), "data");
          data.put("allowedImages", image + "\n");
          data.put("defaultImage", image);
        }
        case "APIService" ->
            map(o.getAdditionalProperties(), "spec")
                .put(
                    "caBundle",
                    Base64.getEncoder()
                        .encodeToString(pki.caPem().getBytes(StandardCharsets.US_ASCII)));
        default -> {}
      }
      objects.add(o);
      if (o.getKind().equals("Namespace")) {
        objects.add(tlsSecret(namespace, GATEWAY_SERVING_SECRET, pki.gatewayServing(), null));
        objects.add(
            tlsSecret(
                namespace, GATEWAY_AGENT_CLIENT_SECRET, pki.gatewayAgentClient(), pki.caPem()));
        objects.add(tlsSecret(namespace, NODE_AGENT_SECRET, pki.nodeAgentServer(), pki.caPem()));
      }
    }
    return objects;
  }

  /** What uninstall deletes: every object of {@link #forInstall}, the namespace last. */
  public static List<GenericKubernetesResource> forUninstall(String namespace) {
    List<GenericKubernetesResource> objects = new ArrayList<>();
    GenericKubernetesResource ns = null;
    for (GenericKubernetesResource o : bundled()) {
      inNamespace(o, namespace);
      if (o.getKind().equals("Namespace")) {
        ns = o;
      } else {
        objects.add(0, o);
      }
    }
    if (ns != null) {
      objects.add(ns);
    }
    return objects;
  }

  /** Moves an object written for {@value #DEFAULT_NAMESPACE} into {@code namespace}. */
  static void inNamespace(GenericKubernetesResource o, String namespace) {
    if (o.getKind().equals("Namespace")) {
      o.getMetadata().setName(namespace);
    }
    if (DEFAULT_NAMESPACE.equals(o.getMetadata().getNamespace())) {
      o.getMetadata().setNamespace(namespace);
    }
    Object subjects = o.getAdditionalProperties().get("subjects");
    if (subjects instanceof List<?> list) {
      for (Object s : list) {
        @SuppressWarnings("unchecked")
        Map<String, Object> subject = (Map<String, Object>) s;
        if (DEFAULT_NAMESPACE.equals(subject.get("namespace"))) {
          subject.put("namespace", namespace);
        }
      }
    }
    if (o.getKind().equals("APIService")) {
      map(map(o.getAdditionalProperties(), "spec"), "service").put("namespace", namespace);
    }
  }

  private static GenericKubernetesResource tlsSecret(
      String namespace, String name, ServerPki.Issued issued, String caPem) {
    Map<String, String> data = new LinkedHashMap<>();
    data.put("tls.crt", base64(issued.certPem()));
    data.put("tls.key", base64(issued.keyPem()));
    if (caPem != null) {
      data.put("ca.crt", base64(caPem));
    }
    GenericKubernetesResource secret = new GenericKubernetesResource();
    secret.setApiVersion("v1");
    secret.setKind("Secret");
    secret.setMetadata(
        new ObjectMetaBuilder()
            .withName(name)
            .withNamespace(namespace)
            .withLabels(Map.of("app.kubernetes.io/managed-by", "lambda-cntr"))
            .build());
    secret.setAdditionalProperty("type", "kubernetes.io/tls");
    secret.setAdditionalProperty("data", data);
    return secret;
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
  }

  static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256")
                  .digest(text.getBytes(StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Map<String, Object> parent, String key) {
    return (Map<String, Object>) parent.computeIfAbsent(key, k -> new LinkedHashMap<>());
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Map<String, Object> parent, String key) {
    return (List<Object>) parent.getOrDefault(key, List.of());
  }
}
