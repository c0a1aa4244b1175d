package dev.lambdacntr.cli.exec;

import java.net.URI;

/**
 * Server mode's hold on a pod's protection marks, for a standalone port forward: a WebSocket to the
 * gateway's {@code namespaces/NS/pods/POD/protect}, whose gateway marks the pod before accepting it
 * and releases the marks when it closes (or, if the client vanishes with its connection, when the
 * API server closes it; if the replica dies, its renewed lease expires and the other sweeps it).
 * Nothing flows on it.
 *
 * @param namespace the pod's namespace
 * @param pod the pod
 */
public record GatewayProtection(String namespace, String pod) implements SessionEndpoint {

  @Override
  public URI uri(String serverUrl) {
    return GatewayRequest.uri(serverUrl, namespace, pod, "protect", "");
  }
}
