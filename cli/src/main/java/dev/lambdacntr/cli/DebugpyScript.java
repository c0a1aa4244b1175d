package dev.lambdacntr.cli;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The session command behind {@code debug --debugpy}: {@code debugpy-session.sh} beside this class,
 * run by {@code sh -c}. It checks that the target is a Python interpreter and that gdb can call a
 * function in a stopped process on this machine (a dry run in a helper process) before it touches
 * the target; when either fails it exits with {@link ExitCode#DEBUGGER_REFUSED}, leaving the target
 * as it was. The script's comments say why each step is there.
 */
final class DebugpyScript {

  static final String RESOURCE = "debugpy-session.sh";

  private DebugpyScript() {}

  static List<String> command(String listen, int pid) {
    return List.of(
        "sh",
        "-c",
        script(),
        "lambda-cntr-debugpy",
        listen,
        Integer.toString(pid),
        Integer.toString(ExitCode.DEBUGGER_REFUSED.code()));
  }

  static String script() {
    try (InputStream in = DebugpyScript.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new CntrException(ExitCode.INTERNAL, "the CLI's jar has no " + RESOURCE);
      }
      // Full-line comments are left out: the script travels in the exec request's URL.
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .lines()
          .filter(line -> !line.stripLeading().startsWith("#"))
          .collect(Collectors.joining("\n", "", "\n"));
    } catch (IOException e) {
      throw new CntrException(ExitCode.INTERNAL, "cannot read " + RESOURCE + ": " + e.getMessage());
    }
  }
}
