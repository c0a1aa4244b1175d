package dev.lambdacntr.agent.target;

import dev.lambdacntr.agent.sys.Fd;
import dev.lambdacntr.agent.sys.Sys;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The target's main process, pinned by a pidfd: a PID alone could be reused by another process
 * between the look-up and the entry, a pidfd cannot. {@link #checkAlive()} after opening anything
 * through {@code /proc/PID} proves it still belonged to this process.
 *
 * @param pid the PID in the agent's PID namespace
 * @param pidfd the pidfd for {@code pid}
 * @param description how messages name it: {@code container 1a2b...} or {@code pid 42}
 * @param containerId the container it was checked to belong to, when one was named
 */
public record TargetProcess(int pid, Fd pidfd, String description, Optional<String> containerId)
    implements AutoCloseable {

  /**
   * Pins a PID, checks it is alive and, when a container ID is given, that it belongs to that
   * container (and to the pod, when its UID is given), whoever named the PID: a runtime's answer is
   * checked too.
   */
  public static TargetProcess open(int pid, Optional<String> containerId, Optional<String> podUid) {
    String description =
        containerId.map(id -> "container " + id + " (pid " + pid + ")").orElse("pid " + pid);
    Fd pidfd =
        Sys.pidfdOpen(pid, ExitCode.AGENT_TARGET_NOT_FOUND, "find the process of " + description);
    TargetProcess target = new TargetProcess(pid, pidfd, description, containerId);
    try {
      target.checkAlive();
      if (containerId.isPresent()) {
        target.checkMembership(containerId.get(), podUid);
      }
      return target;
    } catch (CntrException e) {
      pidfd.close();
      throw e;
    }
  }

  /** Fails unless the process still runs (not ended, not a zombie). */
  public void checkAlive() {
    if (!Sys.alive(pidfd) || state() == 'Z') {
      throw new CntrException(
          ExitCode.AGENT_TARGET_NOT_FOUND, "the process of " + description + " has ended");
    }
  }

  private void checkMembership(String containerId, Optional<String> podUid) {
    String cgroups = read("cgroup");
    Optional<String> mismatch = CgroupMembership.mismatch(cgroups, containerId, podUid);
    if (mismatch.isPresent()) {
      throw new CntrException(
          ExitCode.AGENT_TARGET_NOT_FOUND,
          "pid "
              + pid
              + " does not belong to container "
              + containerId
              + podUid.map(u -> " of pod " + u).orElse("")
              + ": "
              + mismatch.get()
              + " ("
              + cgroups.strip().replace('\n', ' ')
              + ")");
    }
    checkAlive();
  }

  private char state() {
    String stat = read("stat");
    int close = stat.lastIndexOf(')');
    return close > 0 && close + 2 < stat.length() ? stat.charAt(close + 2) : 'Z';
  }

  /** The file {@code /proc/PID/NAME} as text. */
  public String read(String name) {
    return new String(readBytes(name), StandardCharsets.UTF_8);
  }

  /** The file {@code /proc/PID/NAME} as bytes. */
  public byte[] readBytes(String name) {
    Path file = Path.of("/proc", Integer.toString(pid), name);
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new CntrException(
          ExitCode.AGENT_TARGET_NOT_FOUND,
          "cannot read " + file + " of " + description + ": " + e.getMessage());
    }
  }

  /** Where {@code /proc/PID/NAME} points. */
  public String link(String name) {
    Path file = Path.of("/proc", Integer.toString(pid), name);
    try {
      return Files.readSymbolicLink(file).toString();
    } catch (IOException e) {
      throw new CntrException(
          ExitCode.AGENT_TARGET_NOT_FOUND,
          "cannot read the link " + file + " of " + description + ": " + e.getMessage());
    }
  }

  @Override
  public void close() {
    pidfd.close();
  }
}
