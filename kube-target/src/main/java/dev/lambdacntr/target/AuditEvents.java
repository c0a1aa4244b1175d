package dev.lambdacntr.target;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * The Kubernetes Event that records a session on the target pod (who, what, which image, which
 * agent, when), so debugging in production leaves a trace {@code kubectl describe pod} shows. Pure.
 */
public final class AuditEvents {

  public static final String ATTACH_REASON = "LambdaCntrAttach";
  public static final String EXECUTE_REASON = "LambdaCntrExecute";
  public static final String COMPONENT = "lambda-cntr";

  private static final int MAX_COMMAND = 256;

  private AuditEvents() {}

  /**
   * The event.
   *
   * @param target the target container
   * @param who the user, as the API server knows them or as the kubeconfig names them
   * @param image the debug image
   * @param agent the agent pod, as {@code namespace/name}
   * @param command the command for {@code execute}, empty for {@code attach}
   * @param now the time of the session's start
   */
  public static Event build(
      Target target, String who, String image, String agent, List<String> command, Instant now) {
    boolean attach = command.isEmpty();
    String what =
        attach
            ? "attached a debug shell to container " + target.container()
            : "executed '"
                + abbreviate(String.join(" ", command))
                + "' in container "
                + target.container();
    String time = now.truncatedTo(ChronoUnit.SECONDS).toString();
    String podPart = target.pod().length() > 200 ? target.pod().substring(0, 200) : target.pod();
    return new EventBuilder()
        .withNewMetadata()
        .withName(podPart + ".lc" + Long.toHexString(ChronoUnit.NANOS.between(Instant.EPOCH, now)))
        .withNamespace(target.namespace())
        .endMetadata()
        .withNewInvolvedObject()
        .withApiVersion("v1")
        .withKind("Pod")
        .withNamespace(target.namespace())
        .withName(target.pod())
        .withUid(target.podUid())
        .withFieldPath("spec.containers{" + target.container() + "}")
        .endInvolvedObject()
        .withType("Normal")
        .withReason(attach ? ATTACH_REASON : EXECUTE_REASON)
        .withAction(attach ? "Attach" : "Execute")
        .withMessage(who + " " + what + " (image " + image + ", agent " + agent + ")")
        .withNewSource()
        .withComponent(COMPONENT)
        .endSource()
        .withFirstTimestamp(time)
        .withLastTimestamp(time)
        .withCount(1)
        .build();
  }

  private static String abbreviate(String command) {
    return command.length() <= MAX_COMMAND ? command : command.substring(0, MAX_COMMAND) + "...";
  }
}
