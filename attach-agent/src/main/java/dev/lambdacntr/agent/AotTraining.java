package dev.lambdacntr.agent;

import dev.lambdacntr.agent.target.CgroupTree;
import dev.lambdacntr.protocol.AgentInvocation;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * {@code lambda-cntr-agent aot-training}: one run of the agent's start-up path against its own
 * process, for the JDK's AOT cache ({@code -XX:AOTCacheOutput}). It parses an invocation, pins and
 * reads a process, talks to the kernel (FFM, linux-sys) and searches the cgroup tree, but enters
 * nothing and starts nothing.
 */
public final class AotTraining {
  private AotTraining() {}

  public static int run(Path home) {
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
    CgroupTree.onThisHost(Optional.of("00000000-0000-4000-8000-000000000000"))
        .find("lambda-cntr-aot-training");
    return 0;
  }
}
