package dev.lambdacntr.protocol;

/**
 * Every exit status lambda-cntr itself produces. A remote command's own status is passed through
 * unchanged, so these codes sit in ranges a well-behaved program rarely uses: 64-84 for the CLI
 * (before a session exists, a debugger's refusal to touch the target, server mode not installed, a
 * session without the reason an administrator requires, cp's paths), 120-127 for the agent on the
 * node (the 126/127 pair follows the shell convention for "cannot execute" and "not found").
 */
public enum ExitCode {
  OK(0, "success"),
  USAGE(64, "invalid command line"),
  NO_CLUSTER_CONFIG(65, "no kubeconfig or context"),
  CLUSTER_UNREACHABLE(66, "Kubernetes API server unreachable"),
  FORBIDDEN(67, "forbidden by RBAC"),
  POD_NOT_FOUND(68, "pod not found"),
  CONTAINER_NOT_FOUND(69, "container not found"),
  CONTAINER_AMBIGUOUS(70, "pod has several containers, none named"),
  POD_NOT_RUNNING(71, "pod not running"),
  CONTAINER_NOT_RUNNING(72, "container not running"),
  CONTAINER_UNSUPPORTED(73, "init or ephemeral container named"),
  AGENT_FAILED(74, "agent pod failed"),
  TIMEOUT(75, "timed out"),
  SESSION_LOST(76, "session lost"),
  TARGET_GONE(77, "target container terminated during the session"),
  UNAUTHENTICATED(78, "credentials rejected by the API server"),
  INTERNAL(79, "internal error"),
  DEBUGGER_REFUSED(80, "debugger refused to touch the target (not Python, or gdb cannot call)"),
  NOT_INSTALLED(81, "server mode not installed (lambda-cntr status)"),
  REASON_REQUIRED(82, "a reason is required for the session (--reason)"),
  TARGET_PATH(83, "cp: a path of the target is missing or cannot be entered"),
  LOCAL_PATH(84, "cp: a local path cannot be read or written"),

  AGENT_USAGE(120, "invalid agent command line"),
  AGENT_TARGET_NOT_FOUND(121, "target process not found"),
  AGENT_RUNTIME_ERROR(122, "container runtime query failed"),
  AGENT_ENTER_FAILED(123, "entering the target's namespaces failed"),
  AGENT_FILESYSTEM_FAILED(124, "building the filesystem view failed"),
  AGENT_INTERNAL(125, "agent internal error"),
  COMMAND_NOT_EXECUTABLE(126, "command not executable"),
  COMMAND_NOT_FOUND(127, "command not found");

  private final int code;
  private final String meaning;

  ExitCode(int code, String meaning) {
    this.code = code;
    this.meaning = meaning;
  }

  /** The process exit status. */
  public int code() {
    return code;
  }

  /** A short phrase for tables in help text and documentation. */
  public String meaning() {
    return meaning;
  }
}
