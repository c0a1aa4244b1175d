package dev.lambdacntr.nodeagent;

import dev.lambdacntr.protocol.AgentInvocation;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import dev.lambdacntr.protocol.FsBackend;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code GET
 * /v1/sessions?containerId=ID&podUid=UID&tty=true|false&fs=auto|mount|fuse&postMortem=true|false&containerName=NAME&command=ARG...}
 * as the gateway sends it: the container, the pod it must be in, whether the session has a
 * terminal, the file system backend, whether the container has exited (a post-mortem session, with
 * the container's name) and the command (none: the tools' shell). Anything else, a parameter given
 * twice (but {@code command}) or a value out of its range is refused with the agent's usage status
 * (120) and a message that names the parameter.
 *
 * @param containerId the container's ID (the name of its cgroup, below the pod's)
 * @param podUid the pod's UID, whose cgroup the container's must be directly below
 * @param tty whether the session gets a terminal
 * @param fs the file system backend
 * @param postMortem whether the container has exited: a session in what its run left
 * @param containerName the container's name in its pod, for a post-mortem session: its newest ended
 *     run is taken when the one {@code containerId} names is gone
 * @param command the program and its arguments, or empty for the tools' shell
 */
public record SessionRequest(
    String containerId,
    String podUid,
    boolean tty,
    FsBackend fs,
    boolean postMortem,
    Optional<String> containerName,
    List<String> command) {

  static final String PATH = "/v1/sessions";
  private static final Set<String> PARAMETERS =
      Set.of("containerId", "podUid", "tty", "fs", "postMortem", "containerName", "command");

  public SessionRequest {
    command = List.copyOf(command);
  }

  /** Parses the decoded query parameters, each name with its values in order. */
  public static SessionRequest parse(Map<String, List<String>> query) {
    for (Map.Entry<String, List<String>> parameter : query.entrySet()) {
      if (!PARAMETERS.contains(parameter.getKey())) {
        throw usage(
            "unknown parameter '"
                + parameter.getKey()
                + "' (known: containerId, podUid, tty, fs, postMortem, containerName,"
                + " command)");
      }
      if (!parameter.getKey().equals("command") && parameter.getValue().size() > 1) {
        throw usage("parameter '" + parameter.getKey() + "' given more than once");
      }
    }
    String containerId = single(query, "containerId").orElseThrow(() -> missing("containerId"));
    String podUid = single(query, "podUid").orElseThrow(() -> missing("podUid"));
    boolean tty =
        switch (single(query, "tty").orElse("false")) {
          case "true" -> true;
          case "false" -> false;
          default -> throw usage("parameter 'tty' must be true or false");
        };
    FsBackend fs = FsBackend.parse(single(query, "fs").orElse(FsBackend.AUTO.flagValue()));
    boolean postMortem =
        switch (single(query, "postMortem").orElse("false")) {
          case "true" -> true;
          case "false" -> false;
          default -> throw usage("parameter 'postMortem' must be true or false");
        };
    Optional<String> containerName = single(query, "containerName");
    List<String> command = query.getOrDefault("command", List.of());
    if (!command.isEmpty() && command.get(0).isEmpty()) {
      throw usage("parameter 'command': the program may not be empty");
    }
    SessionRequest request =
        new SessionRequest(containerId, podUid, tty, fs, postMortem, containerName, command);
    request.toInvocation(Optional.empty()); // the agent's own checks of ID, UID and the rest
    return request;
  }

  /** The session as the agent's {@code attach} takes it; its input always comes in frames. */
  public AgentInvocation toInvocation(Optional<String> toolsRoot) {
    return new AgentInvocation(
        Optional.empty(),
        Optional.of(containerId),
        Optional.of(podUid),
        containerName,
        Optional.empty(),
        Optional.empty(),
        fs,
        toolsRoot,
        tty,
        false,
        AgentInvocation.DEFAULT_TMP_SIZE,
        false,
        true,
        postMortem,
        command);
  }

  private static Optional<String> single(Map<String, List<String>> query, String name) {
    List<String> values = query.getOrDefault(name, List.of());
    return values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  private static CntrException missing(String name) {
    return usage("parameter '" + name + "' is missing");
  }

  private static CntrException usage(String message) {
    return new CntrException(ExitCode.AGENT_USAGE, "session request: " + message);
  }
}
