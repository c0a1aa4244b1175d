package dev.lambdacntr.gateway.session;

import dev.lambdacntr.gateway.authn.UserInfo;
import dev.lambdacntr.target.AuditEvents;
import dev.lambdacntr.target.Target;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.ObjectMapper;

/**
 * The Event that records a server-mode session on the target pod: the CLI's event ({@link
 * AuditEvents}), written by the gateway for the user the API server authenticated, plus annotations
 * that keep what the message abbreviates: user, groups and the whole command as JSON lists, image
 * and node. Pure.
 */
public final class GatewayAuditEvent {

  public static final String USER = "lambda-cntr.dev/user";
  public static final String GROUPS = "lambda-cntr.dev/groups";
  public static final String COMMAND = "lambda-cntr.dev/command";
  public static final String IMAGE = "lambda-cntr.dev/image";
  public static final String NODE = "lambda-cntr.dev/node";
  public static final String AGENT = "lambda-cntr.dev/agent";

  private static final ObjectMapper JSON = new ObjectMapper();

  private GatewayAuditEvent() {}

  /**
   * The event.
   *
   * @param target the target container
   * @param user the authenticated user
   * @param image the debug image
   * @param agent the node agent pod, as {@code namespace/name}
   * @param command the command, empty for attach's shell
   * @param reason why the user opened the session, if they said
   * @param now the session's start
   */
  public static Event build(
      Target target,
      UserInfo user,
      String image,
      String agent,
      List<String> command,
      Optional<String> reason,
      Instant now) {
    String who = user.name() + " (groups " + String.join(", ", user.groups()) + ")";
    Event event = AuditEvents.build(target, who, image, agent, command, reason, now);
    Map<String, String> annotations = new LinkedHashMap<>();
    reason.ifPresent(r -> annotations.put(AuditEvents.REASON_ANNOTATION, r));
    annotations.put(USER, user.name());
    annotations.put(GROUPS, json(user.groups()));
    annotations.put(COMMAND, json(command));
    annotations.put(IMAGE, image);
    annotations.put(NODE, target.node());
    annotations.put(AGENT, agent);
    return new EventBuilder(event)
        .editMetadata()
        .withAnnotations(annotations)
        .endMetadata()
        .editSource()
        .withHost(target.node())
        .endSource()
        .withReportingComponent("lambda-cntr-gateway")
        .build();
  }

  private static String json(List<String> values) {
    return JSON.writeValueAsString(values);
  }
}
