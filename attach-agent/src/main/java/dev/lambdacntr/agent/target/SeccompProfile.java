package dev.lambdacntr.agent.target;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import dev.lambdacntr.protocol.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The seccomp filter the runtime gave the target, for the session to run under too: a session that
 * dropped it would let whoever uses the session, and any code the target plants in it, make the
 * system calls the container was denied.
 *
 * <p>A kernel cannot hand out a process's filter without stopping it (ptrace), so the filter is
 * rebuilt from where the runtime took it: {@code linux.seccomp} of the OCI configuration in the
 * container's bundle directory. The container's parent is the runtime's shim ({@code
 * containerd-shim-runc-v2} for containerd and Docker, conmon for CRI-O), whose working directory is
 * that bundle (named after the container, or CRI-O's {@code ID/userdata}), or, where one shim
 * serves a whole pod (containerd's CRI), the pod sandbox's bundle, beside which the container's
 * lies under its ID. It is encoded for the native helper, which compiles it with libseccomp and
 * loads it into the session (see {@code load_seccomp} in {@code lambda-cntr-exec.c}). When the
 * target runs under a filter that cannot be rebuilt so, the session is refused unless the user
 * waives it ({@code --no-seccomp}).
 */
public final class SeccompProfile {
  private static final ExitCode REFUSED = ExitCode.AGENT_ENTER_FAILED;

  private SeccompProfile() {}

  /**
   * The helper's {@code --seccomp} value for the target, or empty when it runs without a filter.
   *
   * @param target the target's process
   * @param containerId its container ID, when known: the bundle directory must be named so
   */
  public static Optional<String> forSession(TargetProcess target, Optional<String> containerId) {
    if (!filtered(target.read("status"))) {
      return Optional.empty();
    }
    int parent = parent(target.read("stat"));
    Path shimDirectory = Path.of("/proc", Integer.toString(parent), "cwd");
    Path bundle;
    try {
      bundle = bundle(shimDirectory, Files.readSymbolicLink(shimDirectory), containerId);
    } catch (IOException e) {
      throw refused(target, "its parent " + parent + " has no bundle directory: " + e);
    }
    String config;
    try {
      config = Files.readString(bundle.resolve("config.json"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw refused(target, "cannot read config.json in its bundle directory: " + e.getMessage());
    }
    Optional<Map<String, Object>> seccomp;
    try {
      seccomp = Json.object(Json.parse(config), "linux", "seccomp");
    } catch (CntrException e) {
      throw refused(target, "its bundle's config.json: " + e.getMessage());
    }
    // a filter not from the runtime (the program's own) is not the container's confinement
    return seccomp.map(s -> encode(s, target.description()));
  }

  /**
   * The container's bundle directory, reached through the shim's working directory {@code
   * shimDirectory} ({@code /proc/SHIM/cwd}, so that ".." is taken on the node), which names the
   * node's path {@code shimCwd}: that directory itself when it is named after the container (a shim
   * per container) or is CRI-O's {@code ID/userdata}, else the container's beside it (the pod shim
   * of containerd's CRI sits in the sandbox's bundle).
   */
  static Path bundle(Path shimDirectory, Path shimCwd, Optional<String> containerId) {
    if (containerId.isEmpty()) {
      return shimDirectory;
    }
    String id = containerId.get();
    Path name = shimCwd.getFileName();
    Path parent = shimCwd.getParent();
    boolean own =
        name != null
            && (name.toString().equals(id)
                || (name.toString().equals("userdata")
                    && parent != null
                    && parent.getFileName() != null
                    && parent.getFileName().toString().equals(id)));
    return own ? shimDirectory : shimDirectory.resolve("..").resolve(id);
  }

  /** Whether {@code /proc/PID/status} says the process runs under a seccomp filter. */
  static boolean filtered(String status) {
    return status.lines().anyMatch(l -> l.matches("Seccomp:\\s*2"));
  }

  private static int parent(String stat) {
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Integer.parseInt(fields[1]);
  }

  /** The helper's encoding of an OCI {@code linux.seccomp} object. */
  static String encode(Map<String, Object> seccomp, String target) {
    StringBuilder out = new StringBuilder();
    if (seccomp.containsKey("listenerPath")
        && !Json.string(seccomp, "listenerPath").orElse("").isEmpty()) {
      throw refused(target, "its filter hands decisions to a supervisor (listenerPath)");
    }
    String defaultAction = action(Json.string(seccomp, "defaultAction").orElse(""), target);
    out.append("default ")
        .append(defaultAction)
        .append(' ')
        .append(number(seccomp.get("defaultErrnoRet"), 1))
        .append('\n');
    for (Object arch : Json.array(seccomp, "architectures")) {
      out.append("arch ")
          .append(String.valueOf(arch).replaceFirst("^SCMP_ARCH_", "").toLowerCase(Locale.ROOT))
          .append('\n');
    }
    for (Object flag : Json.array(seccomp, "flags")) {
      switch (String.valueOf(flag)) {
        case "SECCOMP_FILTER_FLAG_LOG" -> out.append("flag LOG\n");
        case "SECCOMP_FILTER_FLAG_SPEC_ALLOW" -> out.append("flag SPEC_ALLOW\n");
        default -> {
          // TSYNC and WAIT_KILLABLE_RECV change nothing for a single-threaded session
        }
      }
    }
    for (Object entry : Json.array(seccomp, "syscalls")) {
      Map<String, Object> rule = Json.asMap(entry);
      String action = action(Json.string(rule, "action").orElse(""), target);
      long errno = number(rule.get("errnoRet"), 1);
      StringBuilder conditions = new StringBuilder();
      for (Object arg : Json.array(rule, "args")) {
        Map<String, Object> a = Json.asMap(arg);
        conditions
            .append(' ')
            .append(number(a.get("index"), 0))
            .append(':')
            .append(Json.string(a, "op").orElse("").replaceFirst("^SCMP_CMP_", ""))
            .append(':')
            .append(Long.toUnsignedString(number(a.get("value"), 0)))
            .append(':')
            .append(Long.toUnsignedString(number(a.get("valueTwo"), 0)));
      }
      List<Object> names = Json.array(rule, "names");
      for (Object name : names) {
        String syscall = String.valueOf(name);
        if (!syscall.matches("[a-z0-9_]+")) {
          throw refused(target, "its filter names a system call '" + syscall + "'");
        }
        out.append("rule ")
            .append(syscall)
            .append(' ')
            .append(action)
            .append(' ')
            .append(errno)
            .append(conditions)
            .append('\n');
      }
    }
    return out.toString();
  }

  private static String action(String oci, String target) {
    return switch (oci) {
      case "SCMP_ACT_ALLOW" -> "ALLOW";
      case "SCMP_ACT_ERRNO" -> "ERRNO";
      case "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD" -> "KILL_THREAD";
      case "SCMP_ACT_KILL_PROCESS" -> "KILL_PROCESS";
      case "SCMP_ACT_TRAP" -> "TRAP";
      case "SCMP_ACT_TRACE" -> "TRACE";
      case "SCMP_ACT_LOG" -> "LOG";
      default -> throw refused(target, "its filter has the action '" + oci + "'");
    };
  }

  private static long number(Object value, long absent) {
    if (value == null) {
      return absent;
    }
    if (value instanceof Long l) {
      return l;
    }
    throw new CntrException(REFUSED, "not a whole number in a seccomp profile: " + value);
  }

  private static CntrException refused(TargetProcess target, String why) {
    return refused(target.description(), why);
  }

  private static CntrException refused(String target, String why) {
    return new CntrException(
        REFUSED,
        "cannot give the session the seccomp filter of "
            + target
            + ": "
            + why
            + "; --no-seccomp opens the session without one");
  }
}
