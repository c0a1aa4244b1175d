package dev.lambdacntr.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The agent's {@code attach} command line, built by the CLI and parsed by the agent, so the two
 * ends cannot drift apart.
 *
 * <pre>
 * lambda-cntr-agent attach (--pid PID | CONTAINER_ID) [--runtime NAME] [--socket-path PATH]
 *                          [--pod-uid UID] [--container-name NAME] [--fs auto|mount|fuse] [--tools-root DIR] [--tty] [--keep-env]
 *                          [--tmp-size SIZE] [--no-seccomp] [--framed-stdin] [--post-mortem]
 *                          [-- CMD [ARGS...]]
 * </pre>
 *
 * <p>An empty command means an interactive login shell.
 *
 * @param pid the target's process ID on the agent's host, or empty to resolve {@code containerId}
 * @param containerId the runtime's container ID (without the {@code containerd://} prefix)
 * @param podUid the UID of the pod the container belongs to: the agent enters only a process whose
 *     cgroup path has both the pod UID and the container ID as components
 * @param containerName the container's name in its pod, for {@code --post-mortem} only: when the
 *     run {@code containerId} names is gone from the runtime (the kubelet removed it after a newer
 *     run ended), the session is in the newest ended run of that name
 * @param runtime the runtime that owns the container ({@code containerd}, {@code cri-o}, {@code
 *     docker}), or empty when unknown; deprecated: the agent ignores it (with a warning), as it
 *     finds the container in the cgroup tree
 * @param socketPath the runtime's API socket as seen by the agent, or empty to detect it;
 *     deprecated: the agent ignores it (with a warning)
 * @param fs the filesystem backend
 * @param toolsRoot the directory served as {@code /}, or empty for the agent's own root
 * @param tty whether stdin is a terminal the session should keep as its controlling terminal
 * @param keepEnv whether the target's variables that would make the tools run the target's code
 *     ({@code LD_PRELOAD}, {@code BASH_ENV}, ...) are kept as they are instead of renamed
 * @param tmpSize the size of the session's private {@code /tmp} and {@code /run} (tmpfs {@code
 *     size=}: bytes with an optional k, m or g, or a percentage of memory)
 * @param framedStdin whether stdin comes in {@link StdinFrames} (the CLI always sends it so)
 * @param postMortem whether {@code containerId} names a container of the pod that has exited: the
 *     session then lives in the pod's sandbox with what the container's run left at {@code
 *     /var/lib/cntr}; needs {@code podUid}
 * @param noSeccomp whether a session may run without the target's seccomp filter when the agent
 *     cannot give it that filter
 * @param command the program and its arguments, or empty for a login shell
 */
public record AgentInvocation(
    Optional<Integer> pid,
    Optional<String> containerId,
    Optional<String> podUid,
    Optional<String> containerName,
    Optional<String> runtime,
    Optional<String> socketPath,
    FsBackend fs,
    Optional<String> toolsRoot,
    boolean tty,
    boolean keepEnv,
    String tmpSize,
    boolean noSeccomp,
    boolean framedStdin,
    boolean postMortem,
    List<String> command) {

  /** The size of the session's {@code /tmp} and {@code /run} unless the user says otherwise. */
  public static final String DEFAULT_TMP_SIZE = "64m";

  /** The agent program's name inside the debug image. */
  public static final String PROGRAM = "lambda-cntr-agent";

  /** The subcommand this record describes. */
  public static final String ATTACH = "attach";

  public AgentInvocation {
    if (pid.isPresent() == containerId.isPresent()) {
      throw new CntrException(
          ExitCode.AGENT_USAGE, "give exactly one of --pid PID or a CONTAINER_ID");
    }
    pid.ifPresent(
        p -> {
          if (p <= 0) {
            throw new CntrException(ExitCode.AGENT_USAGE, "--pid must be positive, not " + p);
          }
        });
    containerId.ifPresent(AgentInvocation::requireContainerId);
    podUid.ifPresent(AgentInvocation::requirePodUid);
    requireTmpSize(tmpSize);
    if (postMortem && (containerId.isEmpty() || podUid.isEmpty())) {
      throw new CntrException(
          ExitCode.AGENT_USAGE, "--post-mortem needs a CONTAINER_ID and --pod-uid, not --pid");
    }
    containerName.ifPresent(AgentInvocation::requireContainerName);
    if (containerName.isPresent() && !postMortem) {
      throw new CntrException(
          ExitCode.AGENT_USAGE, "--container-name is for --post-mortem, which names a run by it");
    }
    command = List.copyOf(command);
  }

  /** An invocation for a container, the way the CLI calls the agent. */
  public static AgentInvocation forContainer(
      String containerId,
      Optional<String> podUid,
      Optional<String> containerName,
      Optional<String> runtime,
      Optional<String> socketPath,
      FsBackend fs,
      boolean tty,
      boolean keepEnv,
      String tmpSize,
      boolean noSeccomp,
      boolean postMortem,
      List<String> command) {
    return new AgentInvocation(
        Optional.empty(),
        Optional.of(containerId),
        podUid,
        containerName,
        runtime,
        socketPath,
        fs,
        Optional.empty(),
        tty,
        keepEnv,
        tmpSize,
        noSeccomp,
        true,
        postMortem,
        command);
  }

  /** The full argument vector, program name first, ready for an exec call. */
  public List<String> toArgv() {
    List<String> argv = new ArrayList<>();
    argv.add(PROGRAM);
    argv.add(ATTACH);
    pid.ifPresent(p -> addOption(argv, "--pid", Integer.toString(p)));
    podUid.ifPresent(u -> addOption(argv, "--pod-uid", u));
    containerName.ifPresent(n -> addOption(argv, "--container-name", n));
    runtime.ifPresent(r -> addOption(argv, "--runtime", r));
    socketPath.ifPresent(s -> addOption(argv, "--socket-path", s));
    addOption(argv, "--fs", fs.flagValue());
    toolsRoot.ifPresent(t -> addOption(argv, "--tools-root", t));
    if (tty) {
      argv.add("--tty");
    }
    if (keepEnv) {
      argv.add("--keep-env");
    }
    if (!tmpSize.equals(DEFAULT_TMP_SIZE)) {
      addOption(argv, "--tmp-size", tmpSize);
    }
    if (noSeccomp) {
      argv.add("--no-seccomp");
    }
    if (framedStdin) {
      argv.add("--framed-stdin");
    }
    if (postMortem) {
      argv.add("--post-mortem");
    }
    containerId.ifPresent(argv::add);
    if (!command.isEmpty()) {
      argv.add("--");
      argv.addAll(command);
    }
    return argv;
  }

  /**
   * Parses the arguments that follow {@code attach}. Unknown options, missing values and a missing
   * target are usage errors that name the offending argument.
   */
  public static AgentInvocation parse(List<String> args) {
    Optional<Integer> pid = Optional.empty();
    Optional<String> containerId = Optional.empty();
    Optional<String> podUid = Optional.empty();
    Optional<String> containerName = Optional.empty();
    Optional<String> runtime = Optional.empty();
    Optional<String> socketPath = Optional.empty();
    FsBackend fs = FsBackend.AUTO;
    Optional<String> toolsRoot = Optional.empty();
    boolean tty = false;
    boolean keepEnv = false;
    String tmpSize = DEFAULT_TMP_SIZE;
    boolean noSeccomp = false;
    boolean framedStdin = false;
    boolean postMortem = false;
    List<String> command = List.of();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      switch (arg) {
        case "--" -> {
          command = args.subList(i + 1, args.size());
          if (command.isEmpty()) {
            throw new CntrException(ExitCode.AGENT_USAGE, "'--' must be followed by a command");
          }
          i = args.size();
        }
        case "--pid" -> pid = Optional.of(parsePid(valueOf(args, ++i, arg)));
        case "--runtime" -> runtime = Optional.of(valueOf(args, ++i, arg));
        case "--socket-path" -> socketPath = Optional.of(valueOf(args, ++i, arg));
        case "--fs" -> fs = FsBackend.parse(valueOf(args, ++i, arg));
        case "--tools-root" -> toolsRoot = Optional.of(valueOf(args, ++i, arg));
        case "--tty" -> tty = true;
        case "--keep-env" -> keepEnv = true;
        case "--pod-uid" -> podUid = Optional.of(valueOf(args, ++i, arg));
        case "--container-name" -> containerName = Optional.of(valueOf(args, ++i, arg));
        case "--tmp-size" -> tmpSize = valueOf(args, ++i, arg);
        case "--no-seccomp" -> noSeccomp = true;
        case "--framed-stdin" -> framedStdin = true;
        case "--post-mortem" -> postMortem = true;
        default -> {
          if (arg.startsWith("-")) {
            throw new CntrException(ExitCode.AGENT_USAGE, "unknown agent option '" + arg + "'");
          }
          if (containerId.isPresent()) {
            throw new CntrException(
                ExitCode.AGENT_USAGE,
                "unexpected argument '" + arg + "' after container ID '" + containerId.get() + "'");
          }
          containerId = Optional.of(arg);
        }
      }
    }
    return new AgentInvocation(
        pid,
        containerId,
        podUid,
        containerName,
        runtime,
        socketPath,
        fs,
        toolsRoot,
        tty,
        keepEnv,
        tmpSize,
        noSeccomp,
        framedStdin,
        postMortem,
        command);
  }

  private static void addOption(List<String> argv, String name, String value) {
    argv.add(name);
    argv.add(value);
  }

  private static String valueOf(List<String> args, int index, String option) {
    if (index >= args.size()) {
      throw new CntrException(ExitCode.AGENT_USAGE, "option " + option + " needs a value");
    }
    return args.get(index);
  }

  private static int parsePid(String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new CntrException(ExitCode.AGENT_USAGE, "--pid needs a number, not '" + value + "'", e);
    }
  }

  private static void requirePodUid(String uid) {
    if (!uid.matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")) {
      throw new CntrException(ExitCode.AGENT_USAGE, "not a pod UID: '" + uid + "'");
    }
  }

  /** A Kubernetes container name is a DNS label (RFC 1123). */
  private static void requireContainerName(String name) {
    if (!name.matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")) {
      throw new CntrException(ExitCode.AGENT_USAGE, "not a container name: '" + name + "'");
    }
  }

  /** Whether a size is one tmpfs takes: bytes with an optional k, m or g, or 1-100%. */
  public static boolean isTmpSize(String size) {
    return size.matches("[1-9][0-9]{0,12}[kmgKMG]?|(100|[1-9][0-9]?)%");
  }

  private static void requireTmpSize(String size) {
    if (!isTmpSize(size)) {
      throw new CntrException(
          ExitCode.AGENT_USAGE,
          "--tmp-size: not a size: '" + size + "' (bytes with k, m or g, or a percentage)");
    }
  }

  private static void requireContainerId(String id) {
    if (!id.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")) {
      throw new CntrException(ExitCode.AGENT_USAGE, "not a container ID: '" + id + "'");
    }
  }
}
