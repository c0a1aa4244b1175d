package dev.lambdacntr.agent.target;

import dev.lambdacntr.agent.Trace;
import dev.lambdacntr.protocol.AgentInvocation;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import java.util.Optional;

/**
 * The target of an invocation: its {@code --pid}, or the init of the container whose cgroup is
 * named after the container ID (below the pod's, with {@code --pod-uid}), found in the cgroup tree
 * without asking the runtime ({@link CgroupTree}).
 */
public final class TargetLocator {
  private TargetLocator() {}

  /** The target of an invocation, alive and pinned. */
  public static TargetProcess locate(AgentInvocation invocation) {
    warnAboutIgnoredOptions(invocation);
    if (invocation.pid().isPresent()) {
      return TargetProcess.open(invocation.pid().get(), Optional.empty(), Optional.empty());
    }
    CgroupTree tree = CgroupTree.onThisHost(invocation.podUid());
    String id = tree.fullId(invocation.containerId().orElseThrow());
    CgroupTree.Lookup lookup = tree.find(id);
    if (lookup.pid().isEmpty()) {
      throw new CntrException(
          ExitCode.AGENT_TARGET_NOT_FOUND,
          "cannot find a running process of container " + id + ": " + lookup.detail());
    }
    Trace.step("pid " + lookup.pid().getAsInt() + " via the cgroup tree");
    return TargetProcess.open(lookup.pid().getAsInt(), Optional.of(id), invocation.podUid());
  }

  /**
   * {@code --runtime} and {@code --socket-path} named the runtime API the agent used to ask; they
   * are still accepted for one release, so that an older CLI keeps working.
   */
  private static void warnAboutIgnoredOptions(AgentInvocation invocation) {
    if (invocation.socketPath().isPresent()) {
      System.err.println(
          "lambda-cntr: --socket-path "
              + invocation.socketPath().get()
              + " ignored: the agent finds the target by its cgroup");
    }
    if (invocation.runtime().isPresent()) {
      System.err.println(
          "lambda-cntr: --runtime "
              + invocation.runtime().get()
              + " ignored: the agent finds the target by its cgroup");
    }
  }
}
