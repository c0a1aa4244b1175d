package dev.lambdacntr.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The agent as it runs in the agent pod: inside a privileged container that shares the host's PID
 * and network namespaces, with cgroup mounts that show only its own cgroup (so the target's are
 * reached, and the target's cgroup found, through a host process's {@code /proc/PID/root}), started
 * by the runtime's exec. The container's root here is the host's root, so the agent distribution
 * and the JDK are where the build left them.
 */
@ExtendWith(TestBedExtension.class)
class AgentContainerIT {
  @Test
  void aPrivilegedHostPidContainerAttachesToAnother(TestBed bed) {
    String agent = "agent-pod";
    bed.containerd.runLikeAgentPod(agent, List.of("/usr/bin/sleep", "1000000"));
    try {
      Commands.Result mounts = exec(agent, "mounts", "/usr/bin/cat", "/proc/self/mountinfo");
      assertThat(mounts.out())
          .as("the agent container sees only its own cgroup: %s", mounts.err())
          .contains(" /" + ContainerdHarness.NAMESPACE + "/" + agent + " /sys/fs/cgroup/memory ");

      Commands.Result session =
          exec(
              agent,
              "session",
              Agent.launcher().toString(),
              "attach",
              "app",
              "--",
              "/bin/sh",
              "-c",
              "echo uid=$(id -u) host=$(hostname); cat /proc/self/cgroup; ps -eo comm=");
      assertThat(session.exit()).as(session.err() + session.out()).isZero();
      assertThat(session.out())
          .contains("uid=1000 host=" + TestBed.TARGET_HOSTNAME)
          .contains("memory:/" + ContainerdHarness.NAMESPACE + "/app")
          .contains("pids:/" + ContainerdHarness.NAMESPACE + "/app")
          .doesNotContain("containerd");
    } finally {
      bed.containerd.remove(agent);
    }
  }

  private static Commands.Result exec(String container, String execId, String... command) {
    String[] args = new String[4 + command.length];
    args[0] = "tasks";
    args[1] = "exec";
    args[2] = "--exec-id=" + execId;
    args[3] = container;
    System.arraycopy(command, 0, args, 4, command.length);
    return ContainerdHarness.ctr(ContainerdHarness.NAMESPACE, args);
  }
}
