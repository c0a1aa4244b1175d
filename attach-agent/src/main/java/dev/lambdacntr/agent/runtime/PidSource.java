package dev.lambdacntr.agent.runtime;

import java.util.OptionalInt;

/** One way of finding the host PID of a container's main process. */
public interface PidSource {

  /**
   * What a source found.
   *
   * @param pid the PID, when found
   * @param authoritative whether the runtime itself named this PID (rather than a guess from cgroup
   *     names)
   * @param detail for a miss, why: it becomes a line of the "tried" list
   */
  record Lookup(OptionalInt pid, boolean authoritative, String detail) {
    public static Lookup found(int pid, boolean authoritative) {
      return new Lookup(OptionalInt.of(pid), authoritative, "");
    }

    public static Lookup missed(String detail) {
      return new Lookup(OptionalInt.empty(), false, detail);
    }
  }

  /**
   * A short name for the "tried" list: {@code containerd API on /run/containerd/containerd.sock}.
   */
  String name();

  Lookup find(String containerId);
}
