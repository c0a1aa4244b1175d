package dev.lambdacntr.cli.agent;

/**
 * A ready agent a session can exec into.
 *
 * @param namespace the agent namespace
 * @param name the pod's name
 * @param node the node it runs on
 * @param created whether this CLI run created it (a cold start)
 */
public record AgentPod(String namespace, String name, String node, boolean created) {

  /** "lambda-cntr/lambda-cntr-agent-node1-x7k2p". */
  public String ref() {
    return namespace + "/" + name;
  }
}
