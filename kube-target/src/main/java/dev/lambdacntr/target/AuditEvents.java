package dev.lambdacntr.target;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Kubernetes Event that records a session on the target pod (who, what, which image, which
 * agent, when), so debugging in production leaves a trace {@code kubectl describe pod} shows. Pure.
 */
public final class AuditEvents {

  public static final String ATTACH_REASON = "LambdaCntrAttach";
  public static final String EXECUTE_REASON = "LambdaCntrExecute";
  public static final String COMPONENT = "lambda-cntr";

  /** The annotation that keeps the session's reason whole ({@link SessionReason}). */
  public static final String REASON_ANNOTATION = "lambda-cntr.dev/reason";

  private static final int MAX_COMMAND = 256;
  private static final int MAX_REASON_IN_MESSAGE = 256;

  private AuditEvents() {}

  /**
   * The event.
   *
   * @param target the target container
   * @param who the user, as the API server knows them or as the kubeconfig names them
   * @param image the debug image
   * @param agent the agent pod, as {@code namespace/name}
   * @param command the command for {@code execute}, empty for {@code attach}
   * @param reason why the user opened the session, if they said: in the message (abbreviated) and
   *     whole in the annotation {@value #REASON_ANNOTATION}
   * @param now the time of the session's start
   */
  public static Event build(
      Target target,
      String who,
      String image,
      String agent,
      List<String> command,
      Optional<String> reason,
      Instant now) {
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
    Event event =
        new EventBuilder()
            .withNewMetadata()
            .withName(
                podPart + ".lc" + Long.toHexString(ChronoUnit.NANOS.between(Instant.EPOCH, now)))
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
            .withMessage(
                who
                    + " "
                    + what
                    + " (image "
                    + image
                    + ", agent "
                    + agent
                    + ")"
                    + reason
                        .map(r -> ", reason: \"" + abbreviate(r, MAX_REASON_IN_MESSAGE) + "\"")
                        .orElse(""))
            .withNewSource()
            .withComponent(COMPONENT)
            .endSource()
            .withFirstTimestamp(time)
            .withLastTimestamp(time)
            .withCount(1)
            .build();
    reason.ifPresent(
        r -> event.getMetadata().setAnnotations(new LinkedHashMap<>(Map.of(REASON_ANNOTATION, r))));
    return event;
  }

  private static String abbreviate(String command) {
    return abbreviate(command, MAX_COMMAND);
  }

  private static String abbreviate(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max) + "...";
  }
}
