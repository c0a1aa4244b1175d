package dev.lambdacntr.cli.kube;

import dev.lambdacntr.cli.agent.AgentPod;
import dev.lambdacntr.cli.agent.AgentSpec;
import dev.lambdacntr.cli.exec.ExecStream;
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
 * What a session asks of the cluster, in the order {@code SessionRunner} asks it. Two answer it:
 * {@link LibraryCluster} (the client library, everything) and {@code DirectCluster} (direct
 * requests for the steps of a session with a ready agent, the library for the rest). Both report
 * every failure the same way, with the same exit codes: the flow never asks which one answers.
 */
public interface SessionCluster extends AutoCloseable {

  /** How the cluster is reached, for {@code -v}. */
  String describe();

  /** The kubeconfig context's namespace, else {@code default}. */
  String defaultNamespace();

  /** The session's target: the pod read and checked ({@link TargetResolver#select}). */
  Target target(String namespace, String pod, Optional<String> container, TargetResolver.Run run);

  /** Who the API server says the user is, for the audit event; never fails. */
  String identity();

  /** The agent pods on {@code node} that are neither finished nor being deleted. */
  List<Pod> agents(String namespace, String node);

  /**
   * A ready agent fitting {@code spec}: one of {@code existing} ({@link #agents}), else created (or
   * replaced) and waited for until {@code deadline} ({@link System#nanoTime}).
   */
  AgentPod agent(AgentSpec spec, List<Pod> existing, long deadline);

  /**
   * The labels of {@code namespace}; empty when it does not exist. A namespace the user may not
   * read is a {@link dev.lambdacntr.protocol.ExitCode#FORBIDDEN} failure.
   */
  Optional<Map<String, String>> namespaceLabels(String namespace);

  /** Creates the session's audit event; failures are translated ({@link KubeErrors}). */
  void record(Event event);

  /**
   * The HTTP status of a GET on {@code path} (0 when unanswered): how {@code --mode auto} asks
   * whether the API server serves server mode's group (discovery, which every user may read).
   */
  int probe(String path);

  /**
   * Whether a gateway resolves, records and runs the session (server mode): then the session is one
   * request to {@link dev.lambdacntr.cli.exec.GatewayRequest}, and the steps before it ask nothing
   * of the cluster.
   */
  default boolean gateway() {
    return false;
  }

  /**
   * Whether the gateway, not this CLI, protects the session's target (server mode): then it is told
   * {@code protect} with the session's request, and the CLI sets no marks and starts no guardian.
   */
  default boolean protectsInGateway(boolean protect) {
    return false;
  }

  /** Opens the session's stream: pods/exec into the agent pod, or the gateway's subresource. */
  ExecStream exec(
      SessionEndpoint exec,
      OutputStream stdout,
      OutputStream stderr,
      Duration timeout,
      String what);

  /**
   * The client library's connection, opened on first use: for what only it does (watches, patches,
   * port-forwards, creating agents). Opening it makes no request.
   */
  ClusterConnection library();

  @Override
  void close();
}
