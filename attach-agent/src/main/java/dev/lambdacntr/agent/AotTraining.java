package dev.lambdacntr.agent;

import dev.lambdacntr.agent.runtime.Rehearsal;
import dev.lambdacntr.protocol.AgentInvocation;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code lambda-cntr-agent aot-training}: one run of the agent's start-up path against its own
 * process, for the JDK's AOT cache ({@code -XX:AOTCacheOutput}). It parses an invocation, pins and
 * reads a process, talks to the kernel (FFM, linux-sys) and loads the runtime clients, but enters
 * nothing and starts nothing.
 */
final class AotTraining {
  private AotTraining() {}

  static int run(Path home) {
    AgentInvocation invocation =
        AgentInvocation.parse(
            // --no-seccomp: an image build may run this under a seccomp filter of its own
            List.of(
                "--pid",
                Long.toString(ProcessHandle.current().pid()),
                "--fs",
                "mount",
                "--no-seccomp"));
    Attach.rehearse(home, invocation);
    Rehearsal.run();
    return 0;
  }
}
