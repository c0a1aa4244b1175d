package dev.lambdacntr.cli;

import dev.lambdacntr.cli.agent.AgentNames;
import dev.lambdacntr.cli.agent.AgentPod;
import dev.lambdacntr.cli.exec.ExecRequest;
import dev.lambdacntr.cli.exec.GatewayRequest;
import dev.lambdacntr.protocol.AgentInvocation;
import dev.lambdacntr.protocol.FsBackend;
import dev.lambdacntr.target.Target;
import dev.lambdacntr.target.TargetResolver;
import dev.lambdacntr.target.Version;
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
 * @param timeout how long the start may take
 * @param idleTimeout the idle time of a newly created agent
 * @param fs the agent's filesystem backend
 * @param tty whether the remote side gets a terminal
 * @param rawTerminal whether the local terminal goes into raw mode (stdin is a terminal)
 * @param keepEnv whether the agent keeps the target's tool-hijacking variables as they are
 * @param tmpSize the size of the session's private /tmp and /run
 * @param noSeccomp whether the session may run without the target's seccomp filter
 * @param command the command for execute, empty for attach's shell
 * @param agentNamespace the agent namespace
 * @param reason why the user opens the session, if they said: recorded in its Event
 * @param postMortem whether the session is in what the container's last, ended run left
 */
public record SessionRequest(
    String namespace,
    String pod,
    Optional<String> container,
    String image,
    Duration timeout,
    Duration idleTimeout,
    FsBackend fs,
    boolean tty,
    boolean rawTerminal,
    boolean keepEnv,
    String tmpSize,
    boolean noSeccomp,
    List<String> command,
    String agentNamespace,
    Optional<String> reason,
    boolean postMortem) {

  public SessionRequest {
    command = List.copyOf(command);
  }

  /**
   * The exec into {@code agent} that runs this session against {@code target}; its command line is
   * shown with {@code -v}. The agent finds the target by its cgroup (pod UID and container ID).
   */
  /**
   * The server-mode request: the session as the user asked for it (the gateway resolves the
   * container). The image is sent only when it is not this CLI's default, so that the policy's
   * default image applies to users who name none.
   */
  public GatewayRequest gatewayExec() {
    return new GatewayRequest(
        namespace,
        pod,
        container,
        command,
        tty,
        fs.flagValue(),
        image.equals(Version.defaultImage()) ? Optional.empty() : Optional.of(image),
        Optional.empty(),
        reason,
        postMortem);
  }

  public ExecRequest agentExec(Target target, AgentPod agent, Progress progress) {
    // the user may have accepted a post-mortem the CLI offered: the target says
    boolean lastEnded = target.run() == TargetResolver.Run.LAST_ENDED;
    List<String> argv =
        AgentInvocation.forContainer(
                target.containerId(),
                Optional.of(target.podUid()),
                lastEnded ? Optional.of(target.container()) : Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                fs,
                tty,
                keepEnv,
                tmpSize,
                noSeccomp,
                lastEnded,
                command)
            .toArgv();
    progress.detail("agent command: " + String.join(" ", argv));
    return new ExecRequest(agent.namespace(), agent.name(), AgentNames.CONTAINER, argv, tty);
  }
}
