package dev.lambdacntr.cli;

import dev.lambdacntr.cli.agent.RuntimeSocket;
import dev.lambdacntr.protocol.FsBackend;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A validated attach or execute, every default filled in.
 *
 * @param namespace the target pod's namespace
 * @param pod the target pod
 * @param container the container, or empty to take the pod's only (or default) one
 * @param image the debug image
 * @param socketOverride the runtime socket the user named, if any
 * @param timeout how long the start may take
 * @param idleTimeout the idle time of a newly created agent
 * @param fs the agent's filesystem backend
 * @param tty whether the remote side gets a terminal
 * @param rawTerminal whether the local terminal goes into raw mode (stdin is a terminal)
 * @param command the command for execute, empty for attach's login shell
 * @param agentNamespace the agent namespace
 */
public record SessionRequest(
    String namespace,
    String pod,
    Optional<String> container,
    String image,
    Optional<RuntimeSocket> socketOverride,
    Duration timeout,
    Duration idleTimeout,
    FsBackend fs,
    boolean tty,
    boolean rawTerminal,
    List<String> command,
    String agentNamespace) {

  public SessionRequest {
    command = List.copyOf(command);
  }
}
