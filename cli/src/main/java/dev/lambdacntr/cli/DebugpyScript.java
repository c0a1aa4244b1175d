package dev.lambdacntr.cli;

import java.util.List;

/**
 * The session command behind {@code debug --debugpy}. debugpy attaches to a running interpreter by
 * injecting code with gdb, and that code imports debugpy by the path the injecting process found it
 * at. The target does not see the debug image's files, so the path given is one valid in both
 * views: {@code /proc/PID/root/...} of the session's own shell, which lives in the target's PID
 * namespace; the shell stays alive (sleeping) while the debugger is in use, so the path stays
 * valid. The gdb it injects with reads the target's files through {@code /proc/TARGET/root} (its
 * sysroot): gdb's own way, entering the target's mount namespace, needs CAP_SYS_ADMIN, which the
 * session, with the target's capabilities, does not have. debugpy's helper library needs libstdc++,
 * which a slim target may lack: the debug image's is loaded into the target first (RTLD_GLOBAL).
 */
final class DebugpyScript {

  private static final String SCRIPT =
      "set -e; tools=/proc/$$/root; packages=$tools/usr/lib/python3/dist-packages;"
          + " bin=/tmp/lambda-cntr-debugpy; mkdir -p $bin;"
          + " printf '#!/bin/sh\\nexec /usr/bin/gdb -iex \"set sysroot /proc/%s/root\" -ex"
          + " \"call (void*)dlopen(\\\\\"%s\\\\\", 258)\" \"$@\"\\n'"
          + " \"$2\" \"$tools/usr/lib/x86_64-linux-gnu/libstdc++.so.6\" >$bin/gdb; chmod 755 $bin/gdb;"
          + " PATH=$bin:$PATH PYTHONPATH=$packages python3 -m debugpy --listen \"$1\" --pid \"$2\";"
          + " echo \"lambda-cntr: debugpy listens on $1 in process $2\";"
          + " while :; do sleep 3600; done";

  private DebugpyScript() {}

  static List<String> command(String listen, int pid) {
    return List.of("sh", "-c", SCRIPT, "lambda-cntr-debugpy", listen, Integer.toString(pid));
  }
}
