package dev.lambdacntr.cli;

import java.util.List;

/**
 * The session command behind {@code debug --debugpy}. debugpy attaches to a running interpreter by
 * injecting code with gdb, and that code imports debugpy by the path the injecting process found it
 * at. The target does not see the debug image's files, so the path given is one valid in both
 * views: {@code /proc/PID/root/...} of the session's own shell, which lives in the target's PID
 * namespace; the shell stays alive (sleeping) while the debugger is in use, so the path stays
 * valid.
 */
final class DebugpyScript {

  private static final String SCRIPT =
      "set -e; packages=/proc/$$/root/usr/lib/python3/dist-packages;"
          + " PYTHONPATH=$packages python3 -m debugpy --listen \"$1\" --pid \"$2\";"
          + " echo \"lambda-cntr: debugpy listens on $1 in process $2\";"
          + " while :; do sleep 3600; done";

  private DebugpyScript() {}

  static List<String> command(String listen, int pid) {
    return List.of("sh", "-c", SCRIPT, "lambda-cntr-debugpy", listen, Integer.toString(pid));
  }
}
