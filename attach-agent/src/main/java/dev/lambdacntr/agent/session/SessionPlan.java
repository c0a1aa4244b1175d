package dev.lambdacntr.agent.session;

import dev.lambdacntr.agent.target.TargetSnapshot;
import dev.lambdacntr.agent.view.CntrLayout;
import dev.lambdacntr.protocol.CntrException;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The session as decided before entering; {@link #complete} adds what can only be decided inside
 * the view (which shell the tools root has).
 *
 * @param pidNamespace inheritable fd of the target's PID namespace, if different
 * @param timeNamespace likewise for the time namespace
 * @param userNamespace likewise for the user namespace
 * @param cgroups the inheritable {@code cgroup.procs} fds
 * @param snapshot what the session adopts from the target
 * @param tty whether the session gets a terminal
 * @param framedStdin whether the session's input comes in frames (see {@code StdinFrames})
 * @param keepEnv whether the target's tool-hijacking variables are kept as they are
 * @param seccomp the target's seccomp filter for the helper ({@code SeccompProfile}), if any
 * @param lastCap the kernel's highest capability number, read in the agent's own procfs before
 *     entering (the target's could be overmounted by a target with CAP_SYS_ADMIN)
 * @param marker the session marker for the helper to remove
 * @param endWithParent whether the helper ends the session when the agent ends
 * @param toolsShell the tools image's {@code SHELL}
 * @param terminal the client's {@code TERM}
 */
public record SessionPlan(
    Optional<Integer> pidNamespace,
    Optional<Integer> timeNamespace,
    Optional<Integer> userNamespace,
    List<SessionSpec.CgroupFd> cgroups,
    TargetSnapshot snapshot,
    boolean tty,
    boolean framedStdin,
    boolean keepEnv,
    Optional<String> seccomp,
    int lastCap,
    Optional<SessionSpec.Marker> marker,
    boolean endWithParent,
    Optional<String> toolsShell,
    Optional<String> terminal) {

  public SessionPlan {
    cgroups = List.copyOf(cgroups);
  }

  /**
   * The full specification: the command to run, or the tools' shell when it is empty.
   *
   * @param executable whether a path is an executable file in the view
   */
  public SessionSpec complete(List<String> command, Predicate<String> executable) {
    String shell;
    try {
      shell = ShellChoice.choose(toolsShell, executable);
    } catch (CntrException noShell) {
      if (command.isEmpty()) {
        throw noShell;
      }
      shell = "/bin/sh";
    }
    String program = command.isEmpty() ? shell : command.get(0);
    List<String> arguments = command.isEmpty() ? List.of() : command.subList(1, command.size());
    return new SessionSpec(
        pidNamespace,
        timeNamespace,
        userNamespace,
        cgroups,
        snapshot.uid(),
        snapshot.gid(),
        snapshot.groups(),
        snapshot.capabilities(),
        lastCap,
        seccomp,
        snapshot.noNewPrivs(),
        snapshot.securityLabel(),
        CntrLayout.underTargetRoot(snapshot.workingDirectory()),
        tty,
        framedStdin,
        marker,
        endWithParent,
        program,
        arguments,
        SessionEnvironment.build(
            snapshot.environment(), shell, snapshot.uid(), terminal, tty, keepEnv));
  }
}
