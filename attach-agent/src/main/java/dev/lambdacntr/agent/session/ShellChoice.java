package dev.lambdacntr.agent.session;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The session's shell: {@code $SHELL} of the tools image, else {@code /bin/bash}, else {@code
 * /bin/sh}.
 */
public final class ShellChoice {
  private ShellChoice() {}

  /**
   * The first candidate that is executable in the view.
   *
   * @param toolsShell the agent's {@code SHELL} variable (the tools image's), if set
   * @param executable whether a path is an executable file in the view
   */
  public static String choose(Optional<String> toolsShell, Predicate<String> executable) {
    List<String> candidates = candidates(toolsShell);
    for (String candidate : candidates) {
      if (executable.test(candidate)) {
        return candidate;
      }
    }
    throw new CntrException(
        ExitCode.COMMAND_NOT_FOUND,
        "no shell in the tools root: tried " + String.join(", ", candidates));
  }

  static List<String> candidates(Optional<String> toolsShell) {
    List<String> candidates = new ArrayList<>();
    toolsShell.filter(s -> s.startsWith("/")).ifPresent(candidates::add);
    candidates.add("/bin/bash");
    candidates.add("/bin/sh");
    return candidates;
  }
}
