package dev.lambdacntr.agent.view;

import dev.lambdacntr.agent.sys.Fd;
import dev.lambdacntr.sys.Mounts;

/**
 * How the tools root reaches the session's view: a detached mount of it, made in the agent's own
 * namespaces before entering the target's (a mount of another namespace cannot be cloned from
 * inside, a detached one can be attached there). Read-only, nosuid and nodev: the target's
 * processes can reach the view through {@code /proc/PID/root} of the session, and must not be able
 * to change the agent's files or gain privileges through the tools' set-user-ID programs.
 */
public interface ToolsRoot extends AutoCloseable {

  /**
   * The mount attributes of the tools root in the view: read-only, nosuid, nodev. Only the file
   * system benchmark ({@code benchmarks/run fs}, which runs write workloads through a session) sets
   * {@code LAMBDA_CNTR_TOOLS_WRITABLE=1} in the agent's own environment to leave out read-only; the
   * CLI never does, and a user of the agent pod is root on the node already.
   */
  static long viewAttributes() {
    long attributes = Mounts.MOUNT_ATTR_NOSUID | Mounts.MOUNT_ATTR_NODEV;
    return "1".equals(System.getenv("LAMBDA_CNTR_TOOLS_WRITABLE"))
        ? attributes
        : attributes | Mounts.MOUNT_ATTR_RDONLY;
  }

  /** A detached, read-only mount showing the tools root. */
  Fd detachedMount();

  /** Whether the agent's JVM must stay to serve the view (FUSE) rather than exec the session. */
  boolean servedByAgent();

  /** The backend's name for messages and traces: {@code mount} or {@code fuse}. */
  String name();

  @Override
  void close();
}
