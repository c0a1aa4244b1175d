package dev.lambdacntr.cli.exec;

import java.net.URI;

/**
 * Where a session's WebSocket goes, below the API server's URL: {@code pods/exec} into an agent pod
 * ({@link ExecRequest}, direct mode) or the gateway's subresource ({@link GatewayRequest}, server
 * mode). Both speak the same channels, so one {@link ExecStream} serves both.
 */
public interface SessionEndpoint {

  /** The WebSocket URI below the API server's base URL. */
  URI uri(String serverUrl);
}
