package dev.lambdacntr.cli.kube;

import dev.lambdacntr.cli.agent.AgentPod;
import dev.lambdacntr.cli.agent.AgentSpec;
import dev.lambdacntr.cli.exec.ExecStream;
import dev.lambdacntr.cli.exec.GatewayRequest;
import dev.lambdacntr.cli.exec.SessionEndpoint;
import dev.lambdacntr.target.Target;
import dev.lambdacntr.target.TargetResolver;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Server mode (issue 14): the session is one request to the gateway's subresource through the API
 * server, with the user's own credentials, over {@code inner} (direct requests or the client
 * library). The gateway resolves the target, checks the user's rights, records the Event and runs
 * the session on the node agent, so the steps before the exec ask nothing here: the target is only
 * what the user named, there is no agent to find and nothing to record.
 */
public final class ServerCluster implements SessionCluster {

  /** What {@code -v} and messages call the gateway. */
  public static final String GATEWAY = "the gateway (" + GatewayRequest.DISCOVERY + ")";

  private final SessionCluster inner;
  private volatile Optional<Boolean> protect = Optional.empty();

  public ServerCluster(SessionCluster inner) {
    this.inner = inner;
  }

  @Override
  public String describe() {
    return "server mode: " + GATEWAY + ", over " + inner.describe();
  }

  @Override
  public String defaultNamespace() {
    return inner.defaultNamespace();
  }

  /** The pod and container as named: the gateway resolves and checks them. */
  @Override
  public Target target(
      String namespace, String pod, Optional<String> container, TargetResolver.Run run) {
    return new Target(namespace, pod, "", container.orElse(""), "", "", "", false, run);
  }

  @Override
  public String identity() {
    return "";
  }

  @Override
  public List<Pod> agents(String namespace, String node) {
    return List.of();
  }

  /** The gateway stands where the agent pod does in direct mode. */
  @Override
  public AgentPod agent(AgentSpec spec, List<Pod> existing, long deadline) {
    return new AgentPod("apis", GatewayRequest.GROUP_VERSION, "", false);
  }

  /** The gateway's policy, not a namespace's label, says what a session needs. */
  @Override
  public Optional<Map<String, String>> namespaceLabels(String namespace) {
    return Optional.empty();
  }

  /** The gateway records the session, as itself, naming the authenticated user. */
  @Override
  public void record(Event event) {}

  @Override
  public int probe(String path) {
    return inner.probe(path);
  }

  @Override
  public boolean gateway() {
    return true;
  }

  /** The gateway sets and removes the marks, with its own rights: the user needs none. */
  @Override
  public boolean protectsInGateway(boolean protects) {
    protect = Optional.of(protects);
    return true;
  }

  @Override
  public ExecStream exec(
      SessionEndpoint endpoint,
      OutputStream stdout,
      OutputStream stderr,
      Duration timeout,
      String what) {
    SessionEndpoint sent =
        endpoint instanceof GatewayRequest request && protect.isPresent()
            ? request.protecting(protect.get())
            : endpoint;
    return inner.exec(sent, stdout, stderr, timeout, what);
  }

  @Override
  public ClusterConnection library() {
    return inner.library();
  }

  @Override
  public void close() {
    inner.close();
  }
}
