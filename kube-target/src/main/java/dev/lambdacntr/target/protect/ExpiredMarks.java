package dev.lambdacntr.target.protect;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.target.ApiCall;
import dev.lambdacntr.target.KubeErrors;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The sweep of protection marks whose every hold expired (their holders died: a CLI and its
 * guardian with the user's machine, a gateway replica): the marked pods in every namespace are
 * listed by their label, and those no live session holds are released, their own values restored. A
 * hold that is still renewed is never touched, whoever holds it.
 */
public final class ExpiredMarks {

  /**
   * What one sweep did.
   *
   * @param released the pods released, as {@code namespace/name}
   * @param failures the pods that could not be released, with why
   */
  public record Swept(List<String> released, List<String> failures) {}

  private final KubernetesClient client;
  private final KubeErrors errors;
  private final ProtectionMarks marks;
  private final Supplier<Instant> clock;

  public ExpiredMarks(KubernetesClient client, KubeErrors errors, Supplier<Instant> clock) {
    this.client = client;
    this.errors = errors;
    this.marks = new ProtectionMarks(client.getKubernetesSerialization());
    this.clock = clock;
  }

  /** Releases every expired hold in the cluster; throws {@link CntrException} if it cannot list. */
  public Swept sweep() {
    List<Pod> marked =
        errors.call(
            new ApiCall("list", "pods", ""),
            () ->
                client.pods().inAnyNamespace().withLabel(ProtectionMarks.LABEL).list().getItems());
    List<String> released = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    for (Pod pod : marked) {
      String namespace = pod.getMetadata().getNamespace();
      String name = pod.getMetadata().getName();
      if (!marks.expired(pod.getMetadata().getAnnotations(), clock.get())) {
        continue;
      }
      try {
        new PodMarksWriter(client, errors, namespace, name, pod.getMetadata().getUid())
            .release(PodMarksWriter.EXPIRED);
        released.add(namespace + "/" + name);
      } catch (CntrException e) {
        failures.add(namespace + "/" + name + ": " + e.getMessage());
      }
    }
    return new Swept(released, failures);
  }
}
