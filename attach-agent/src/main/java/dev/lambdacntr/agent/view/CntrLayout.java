package dev.lambdacntr.agent.view;

import java.util.List;

/**
 * The CNTR layout of a session's filesystem: {@code /} is the tools root, the target's root with
 * all its mounts is at {@code /var/lib/cntr}, and these parts of the target are laid over the
 * tools' so that processes, devices, names, users, DNS and time agree with the target.
 */
public final class CntrLayout {
  /** Where the target's root appears. */
  public static final String TARGET_ROOT = "/var/lib/cntr";

  /** Trees of the target, with every mount below them (the runtime's masks of /proc included). */
  public static final List<String> TARGET_TREES = List.of("/proc", "/dev", "/sys");

  /** Single files of the target, bound over the tools' files of the same name. */
  public static final List<String> IDENTITY_FILES =
      List.of(
          "/etc/hosts",
          "/etc/hostname",
          "/etc/resolv.conf",
          "/etc/passwd",
          "/etc/group",
          "/etc/localtime",
          "/etc/timezone");

  /**
   * Fresh, private, writable scratch directories over the read-only tools root: the session gets a
   * place to write, and nothing of the agent's own {@code /tmp} or {@code /run} (sockets!).
   */
  public static final List<String> SCRATCH = List.of("/tmp", "/run");

  private CntrLayout() {}

  /** The session's working directory for the target's: its path below {@link #TARGET_ROOT}. */
  public static String underTargetRoot(String targetPath) {
    if (targetPath.isEmpty() || targetPath.equals("/")) {
      return TARGET_ROOT;
    }
    return TARGET_ROOT + (targetPath.startsWith("/") ? targetPath : "/" + targetPath);
  }
}
