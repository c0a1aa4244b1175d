package dev.lambdacntr.gateway.session;

import dev.lambdacntr.gateway.ApiGroup;
import dev.lambdacntr.gateway.KubeCalls;
import dev.lambdacntr.gateway.authn.UserInfo;
import dev.lambdacntr.gateway.authz.SessionAuthorizer;
import dev.lambdacntr.gateway.policy.PolicySource;
import dev.lambdacntr.gateway.policy.SessionPolicy;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import dev.lambdacntr.target.Target;
import dev.lambdacntr.target.TargetResolver;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * Everything before a session's bytes flow, in this order: authorise (nothing about the pod is read
 * for a user who may not exec into it), apply the policy, resolve the target as the CLI does (same
 * refusals, same exit codes), find the node agent, record the Event (no event, no session).
 * Blocking; runs off the event loop.
 */
public final class SessionPreparation {

  private final KubernetesClient client;
  private final SessionAuthorizer authorizer;
  private final PolicySource policies;
  private final NodeAgents agents;
  private final Supplier<Instant> clock;

  public SessionPreparation(
      KubernetesClient client,
      SessionAuthorizer authorizer,
      PolicySource policies,
      NodeAgents agents,
      Supplier<Instant> clock) {
    this.client = client;
    this.authorizer = authorizer;
    this.policies = policies;
    this.agents = agents;
    this.clock = clock;
  }

  /**
   * Authorises a hold of the pod's protection marks ({@link ApiGroup#PROTECT}) and reads the pod,
   * or refuses with a {@link CntrException}.
   */
  public Pod protectionTarget(UserInfo user, SessionQuery query) {
    authorizer.authorize(user, query.subresource(), query.namespace(), query.pod());
    return readPod(query);
  }

  private Pod readPod(SessionQuery query) {
    Pod pod =
        KubeCalls.call(
            "get pod " + query.namespace() + "/" + query.pod(),
            () -> client.pods().inNamespace(query.namespace()).withName(query.pod()).get());
    if (pod == null) {
      throw new CntrException(
          ExitCode.POD_NOT_FOUND, "pod " + query.namespace() + "/" + query.pod() + " not found");
    }
    return pod;
  }

  /** Prepares the session or refuses it with a {@link CntrException}. */
  public PreparedSession prepare(UserInfo user, SessionQuery query) {
    Checked checked = check(user, query);
    Target target = checked.target();
    Event event =
        GatewayAuditEvent.build(
            target,
            user,
            checked.image(),
            checked.agentRef(),
            query.command(),
            query.reason(),
            clock.get());
    KubeCalls.call(
        "record the session's Event on pod " + target.namespace() + "/" + target.pod(),
        () -> client.v1().events().inNamespace(target.namespace()).resource(event).create());

    return new PreparedSession(
        user,
        query,
        target,
        checked.image(),
        checked.agentRef(),
        checked.agent().getStatus().getPodIP(),
        AgentSessionUri.of(
            target.containerId(),
            target.podUid(),
            query.tty(),
            query.fs(),
            query.postMortem(),
            target.container(),
            query.command()),
        checked.policy().maxSession());
  }

  /** What the checks of a session found. */
  public record Checked(
      SessionPolicy policy, String image, Target target, Pod agent, String agentRef) {}

  /**
   * Every check {@link #prepare} makes, with nothing recorded or started: also what a plain GET of
   * a session's URL is answered with, so that a client whose upgrade was refused can read why (a
   * refused upgrade's body does not reach every WebSocket client).
   */
  public Checked check(UserInfo user, SessionQuery query) {
    authorizer.authorize(user, query.subresource(), query.namespace(), query.pod());

    SessionPolicy policy = policies.current();
    if (query.subresource().equals(ApiGroup.PORTFORWARD)) {
      policy.checkPortForward();
      throw new CntrException(
          ExitCode.USAGE, "the gateway does not serve pods/portforward yet; use direct mode");
    }
    String image = policy.image(query.image());
    policy.checkFilesystem(query.fs());
    policy.checkReason(query.reason());

    Pod pod = readPod(query);
    Target target =
        TargetResolver.select(
            pod,
            query.container(),
            query.postMortem() ? TargetResolver.Run.LAST_ENDED : TargetResolver.Run.CURRENT);

    Pod agent = agents.onNode(target.node());
    String agentRef = agent.getMetadata().getNamespace() + "/" + agent.getMetadata().getName();
    requireImage(agent, agentRef, image, target.node());
    return new Checked(policy, image, target, agent, agentRef);
  }

  /** The node agent's tools are its image's: a session may not claim another image. */
  static void requireImage(Pod agent, String agentRef, String image, String node) {
    boolean runs =
        agent.getSpec().getContainers().stream().map(Container::getImage).anyMatch(image::equals);
    if (!runs) {
      throw new CntrException(
          ExitCode.USAGE,
          "image "
              + image
              + " is not served on node "
              + node
              + ": its node agent "
              + agentRef
              + " runs "
              + String.join(
                  ", ",
                  agent.getSpec().getContainers().stream().map(Container::getImage).toList()));
    }
  }
}
