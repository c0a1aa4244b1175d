package dev.lambdacntr.agent.runtime;

import java.util.OptionalInt;

/** One way of finding the host PID of a container's main process. */
public interface PidSource {

  /**
   * What a source found.
   *
   * @param pid the PID, when found (checked against the container's cgroup path by TargetProcess,
   *     whichever source found it)
   * @param detail for a miss, why: it becomes a line of the "tried" list
   */
  record Lookup(OptionalInt pid, String detail) {
    public static Lookup found(int pid) {
      return new Lookup(OptionalInt.of(pid), "");
    }

    public static Lookup missed(String detail) {
      return new Lookup(OptionalInt.empty(), detail);
    }
  }

  /**
   * A short name for the "tried" list: {@code containerd API on /run/containerd/containerd.sock}.
   */
  String name();

  Lookup find(String containerId);
}
