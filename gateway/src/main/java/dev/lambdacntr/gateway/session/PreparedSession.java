package dev.lambdacntr.gateway.session;

import dev.lambdacntr.gateway.authn.UserInfo;
import dev.lambdacntr.target.Target;
import java.time.Duration;

/**
 * A session that may start: authorised, within the policy, its target resolved and recorded.
 *
 * @param user who opens it
 * @param query what they asked for
 * @param target the container it enters
 * @param image the debug image
 * @param agentPod the node agent, as {@code namespace/name}
 * @param agentIp the node agent's pod IP
 * @param agentUri the node agent's request URI ({@link AgentSessionUri})
 * @param maxDuration when the gateway ends it (the policy's maxSessionSeconds)
 */
public record PreparedSession(
    UserInfo user,
    SessionQuery query,
    Target target,
    String image,
    String agentPod,
    String agentIp,
    String agentUri,
    Duration maxDuration) {

  /** For the log: who, what, where. */
  public String describe() {
    return user.name()
        + " "
        + query.subresource()
        + " "
        + target.namespace()
        + "/"
        + target.pod()
        + " container "
        + target.container()
        + " via "
        + agentPod;
  }
}
