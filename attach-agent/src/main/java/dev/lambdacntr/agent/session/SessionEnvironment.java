package dev.lambdacntr.agent.session;

import dev.lambdacntr.agent.view.CntrLayout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The session's environment: the target's, with PATH extended so that the tools come first and the
 * target's own programs stay reachable below {@code /var/lib/cntr}, and the terminal and shell
 * variables a shell needs.
 */
public final class SessionEnvironment {
  /** Where the tools' programs are, in the tools root. */
  public static final String TOOLS_PATH =
      "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  private SessionEnvironment() {}

  /**
   * Builds the environment.
   *
   * @param target the target's environment entries ({@code NAME=value})
   * @param shell the session's shell, for {@code SHELL}
   * @param uid the session's uid, for a missing {@code HOME}
   * @param terminal the client's {@code TERM} when the session has a terminal, else empty
   */
  public static List<String> build(
      List<String> target, String shell, long uid, Optional<String> terminal, boolean tty) {
    Map<String, String> env = new LinkedHashMap<>();
    for (String entry : target) {
      int eq = entry.indexOf('=');
      env.put(entry.substring(0, eq), entry.substring(eq + 1));
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
