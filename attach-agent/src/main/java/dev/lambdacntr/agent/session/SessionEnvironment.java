package dev.lambdacntr.agent.session;

import dev.lambdacntr.agent.view.CntrLayout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The session's environment: the target's, with PATH extended so that the tools come first and the
 * target's own programs stay reachable below {@code /var/lib/cntr}, and the terminal and shell
 * variables a shell needs.
 *
 * <p>The target's environment is the target's to choose, and so is hostile: the variables that make
 * the debug image's tools load or run something of the target's choosing (the dynamic loader's, the
 * shells' start-up and prompt hooks, the interpreters' search paths and options, pagers and
 * editors, configuration homes) are renamed {@code TARGET_NAME}, where the user still sees them,
 * unless the user asked to keep them ({@code --keep-env}).
 */
public final class SessionEnvironment {
  /** Where the tools' programs are, in the tools root. */
  public static final String TOOLS_PATH =
      "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  /** The prefix that renamed variables get. */
  public static final String RENAMED_PREFIX = "TARGET_";

  /** Variables that make a tool load, run or read code or settings the target chose. */
  static final Set<String> HIJACKING =
      Set.of(
          // the shells
          "BASH_ENV",
          "ENV",
          "PROMPT_COMMAND",
          "PS0",
          "PS1",
          "PS2",
          "PS3",
          "PS4",
          "SHELLOPTS",
          "BASHOPTS",
          "CDPATH",
          "GLOBIGNORE",
          "HISTFILE",
          "INPUTRC",
          "HOME",
          "TMPDIR",
          // the C library
          "GCONV_PATH",
          "GETCONF_DIR",
          "GLIBC_TUNABLES",
          "HOSTALIASES",
          "LOCPATH",
          "NLSPATH",
          "RESOLV_HOST_CONF",
          "TERMINFO",
          "TERMINFO_DIRS",
          // interpreters
          "PYTHONPATH",
          "PYTHONHOME",
          "PYTHONSTARTUP",
          "PYTHONINSPECT",
          "PYTHONUSERBASE",
          "PYTHONBREAKPOINT",
          "PYTHONEXECUTABLE",
          "PYTHONWARNINGS",
          "PERL5LIB",
          "PERLLIB",
          "PERL5OPT",
          "PERL5DB",
          "NODE_OPTIONS",
          "NODE_PATH",
          "RUBYOPT",
          "RUBYLIB",
          "JAVA_TOOL_OPTIONS",
          "_JAVA_OPTIONS",
          "JDK_JAVA_OPTIONS",
          // programs the tools start
          "PAGER",
          "MANPAGER",
          "LESSOPEN",
          "LESSCLOSE",
          "LESSKEY",
          "EDITOR",
          "VISUAL",
          "BROWSER",
          "VIMINIT",
          "EXINIT",
          "MYVIMRC",
          "VIMRUNTIME",
          "XDG_CONFIG_HOME",
          "XDG_CONFIG_DIRS",
          "XDG_DATA_HOME",
          "XDG_DATA_DIRS",
          "XDG_CACHE_HOME",
          "XDG_STATE_HOME",
          "XDG_RUNTIME_DIR");

  /** Name prefixes of the same kind: every dynamic loader variable, exported shell functions. */
  static final List<String> HIJACKING_PREFIXES = List.of("LD_", "BASH_FUNC_", "MALLOC_");

  private SessionEnvironment() {}

  /**
   * Builds the environment.
   *
   * @param target the target's environment entries ({@code NAME=value})
   * @param shell the session's shell, for {@code SHELL}
   * @param uid the session's uid, for {@code HOME}
   * @param terminal the client's {@code TERM} when the session has a terminal, else empty
   * @param tty whether the session has a terminal
   * @param keepEnv whether hijacking variables are kept as they are
   */
  public static List<String> build(
      List<String> target,
      String shell,
      long uid,
      Optional<String> terminal,
      boolean tty,
      boolean keepEnv) {
    Map<String, String> env = new LinkedHashMap<>();
    for (String entry : target) {
      int eq = entry.indexOf('=');
      String name = entry.substring(0, eq);
      String value = entry.substring(eq + 1);
      if (!keepEnv && hijacking(name)) {
        env.put(RENAMED_PREFIX + name, value);
      } else {
        env.put(name, value);
      }
    }
    env.put("PATH", path(Optional.ofNullable(env.get("PATH"))));
    env.put("SHELL", shell);
    env.putIfAbsent("HOME", uid == 0 ? "/root" : "/");
    if (tty) {
      env.put("TERM", terminal.filter(t -> !t.isBlank()).orElse(env.getOrDefault("TERM", "xterm")));
    }
    List<String> entries = new ArrayList<>(env.size());
    env.forEach((name, value) -> entries.add(name + "=" + value));
    return entries;
  }

  /** Whether a variable of this name would make the tools load or run the target's choice. */
  static boolean hijacking(String name) {
    return HIJACKING.contains(name) || HIJACKING_PREFIXES.stream().anyMatch(name::startsWith);
  }

  /** The tools' PATH, then the target's entries as they appear below {@code /var/lib/cntr}. */
  static String path(Optional<String> targetPath) {
    StringBuilder path = new StringBuilder(TOOLS_PATH);
    for (String dir : targetPath.orElse(TOOLS_PATH).split(":")) {
      if (dir.startsWith("/")) {
        path.append(':').append(CntrLayout.underTargetRoot(dir));
      }
    }
    return path.toString();
  }
}
