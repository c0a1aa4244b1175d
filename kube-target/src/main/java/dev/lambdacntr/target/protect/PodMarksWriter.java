package dev.lambdacntr.target.protect;

import dev.lambdacntr.target.ApiCall;
import dev.lambdacntr.target.KubeErrors;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * Writes {@link ProtectionMarks} to a pod and keeps its PodDisruptionBudget in step: a JSON merge
 * patch of the metadata with the read {@code resourceVersion} as precondition (re-read and retried
 * on a conflict), and the budget created while the pod is marked, deleted when it no longer is. The
 * budget is owned by the pod, so it never outlives it.
 */
public final class PodMarksWriter {

  /** The PodDisruptionBudget resource, addressed without discovery (its model is not loaded). */
  static final ResourceDefinitionContext PDB =
      new ResourceDefinitionContext.Builder()
          .withGroup("policy")
          .withVersion("v1")
          .withKind("PodDisruptionBudget")
          .withPlural("poddisruptionbudgets")
          .withNamespaced(true)
          .build();

  /** The session name a release of only the expired holds uses (no session is called so). */
  public static final String EXPIRED = "expired";

  private static final int ATTEMPTS = 5;

  private final KubernetesClient client;
  private final KubeErrors errors;
  private final ProtectionMarks marks;
  private final String namespace;
  private final String pod;
  private final String podUid;

  public PodMarksWriter(
      KubernetesClient client, KubeErrors errors, String namespace, String pod, String podUid) {
    this.client = client;
    this.errors = errors;
    this.marks = new ProtectionMarks(client.getKubernetesSerialization());
    this.namespace = namespace;
    this.pod = pod;
    this.podUid = podUid;
  }

  /** The name of the pod's PodDisruptionBudget: {@code lambda-cntr-POD}, shortened if too long. */
  public static String budgetName(String pod) {
    String name = "lambda-cntr-" + pod;
    if (name.length() <= 253) {
      return name;
    }
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256").digest(pod.getBytes(StandardCharsets.UTF_8));
      return name.substring(0, 244) + "-" + HexFormat.of().formatHex(hash, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Marks the pod for {@code session} until {@code expires} and ensures its budget. Returns false
   * when the pod is gone or was replaced (another UID).
   */
  public boolean hold(String session, Instant expires) {
    boolean marked =
        change((annotations, now) -> marks.hold(annotations, podUid, session, expires, now));
    if (marked) {
      ensureBudget();
    }
    return marked;
  }

  /**
   * Removes {@code session}'s hold (and every expired one); the last one out restores the pod's own
   * annotations and removes the label and the budget. Returns whether the pod is still held by
   * other sessions.
   */
  public boolean release(String session) {
    boolean[] stillHeld = {false};
    boolean present =
        change(
            (annotations, now) -> {
              ProtectionMarks.Change c = marks.release(annotations, session, now);
              stillHeld[0] = c.protectedAfter();
              return c;
            });
    if (!stillHeld[0]) {
      deleteBudget();
      // a session that marked the pod meanwhile needs its budget back
      if (present
          && readPod().map(p -> labels(p).get(ProtectionMarks.LABEL) != null).orElse(false)) {
        ensureBudget();
      }
    }
    return stillHeld[0];
  }

  /** Whether the pod carries marks no live session holds. */
  public boolean expired(Pod p, Instant now) {
    return marks.expired(p.getMetadata().getAnnotations(), now);
  }

  /** Reads, computes, patches; retries on conflicts. False when the pod is gone or replaced. */
  private boolean change(BiFunction<Map<String, String>, Instant, ProtectionMarks.Change> compute) {
    for (int attempt = 1; ; attempt++) {
      Optional<Pod> current = readPod();
      if (current.isEmpty()) {
        return false;
      }
      Pod p = current.get();
      ProtectionMarks.Change change =
          compute.apply(p.getMetadata().getAnnotations(), Instant.now());
      if (change.annotations().isEmpty() && change.labels().isEmpty()) {
        return true;
      }
      try {
        patch(p.getMetadata().getResourceVersion(), change);
        return true;
      } catch (KubernetesClientException e) {
        if (e.getCode() == 404) {
          return false;
        }
        if (e.getCode() != 409 || attempt == ATTEMPTS) {
          throw errors.translate(new ApiCall("patch", "pods", namespace), e);
        }
      }
    }
  }

  private Optional<Pod> readPod() {
    Pod p =
        errors.call(
            new ApiCall("get", "pods", namespace),
            () -> client.pods().inNamespace(namespace).withName(pod).get());
    if (p == null || (!podUid.isEmpty() && !podUid.equals(p.getMetadata().getUid()))) {
      return Optional.empty();
    }
    return Optional.of(p);
  }

  private void patch(String resourceVersion, ProtectionMarks.Change change) {
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("resourceVersion", resourceVersion);
    if (!change.annotations().isEmpty()) {
      metadata.put("annotations", nullable(change.annotations()));
    }
    if (!change.labels().isEmpty()) {
      metadata.put("labels", nullable(change.labels()));
    }
    String body = client.getKubernetesSerialization().asJson(Map.of("metadata", metadata));
    client
        .pods()
        .inNamespace(namespace)
        .withName(pod)
        .patch(PatchContext.of(PatchType.JSON_MERGE), body);
  }

  private static Map<String, String> nullable(Map<String, Optional<String>> values) {
    Map<String, String> result = new LinkedHashMap<>();
    values.forEach((k, v) -> result.put(k, v.orElse(null)));
    return result;
  }

  private void ensureBudget() {
    GenericKubernetesResource budget =
        new GenericKubernetesResourceBuilder()
            .withApiVersion("policy/v1")
            .withKind("PodDisruptionBudget")
            .withNewMetadata()
            .withName(budgetName(pod))
            .withNamespace(namespace)
            .addToLabels("app.kubernetes.io/managed-by", "lambda-cntr")
            .addToAnnotations(
                "lambda-cntr.dev/purpose",
                "refuses evictions of pod " + pod + " while lambda-cntr sessions are attached")
            .addNewOwnerReference()
            .withApiVersion("v1")
            .withKind("Pod")
            .withName(pod)
            .withUid(podUid)
            .endOwnerReference()
            .endMetadata()
            .addToAdditionalProperties(
                "spec",
                Map.of(
                    "maxUnavailable",
                    0,
                    "selector",
                    Map.of("matchLabels", Map.of(ProtectionMarks.LABEL, podUid))))
            .build();
    try {
      client.genericKubernetesResources(PDB).inNamespace(namespace).resource(budget).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw errors.translate(new ApiCall("create", "poddisruptionbudgets.policy", namespace), e);
      }
    }
  }

  private void deleteBudget() {
    try {
      client
          .genericKubernetesResources(PDB)
          .inNamespace(namespace)
          .withName(budgetName(pod))
          .delete();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        throw errors.translate(new ApiCall("delete", "poddisruptionbudgets.policy", namespace), e);
      }
    }
  }

  /** Whether a budget exists for the pod (for tests and the sweep). */
  public boolean budgetExists() {
    return client
            .genericKubernetesResources(PDB)
            .inNamespace(namespace)
            .withName(budgetName(pod))
            .get()
        != null;
  }

  private static Map<String, String> labels(Pod p) {
    return p.getMetadata().getLabels() == null ? Map.of() : p.getMetadata().getLabels();
  }
}
