package dev.lambdacntr.agent.runtime;

import dev.lambdacntr.agent.target.CgroupMembership;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The runtime-agnostic fallback: the process whose {@code /proc/PID/cgroup} names the container ID
 * as a path component ({@code /kubepods/.../ID}, {@code cri-containerd-ID.scope}, {@code
 * docker-ID.scope}, {@code crio-ID.scope}, containerd's {@code /NAMESPACE/ID}). Of the processes
 * found, the container's init is the one whose parent is not among them (the shim), the oldest if
 * several (exec'd processes also hang off the shim).
 *
 * <p>Its cost grows with the node's processes, the runtime APIs' does not ({@code
 * benchmarks/agent/pid-lookup}, 2 cores, Linux 6.18, medians of 21 runs): inside the agent (a new
 * JVM with the AOT cache, as the CLI runs it) the scan took 18 ms with the machine's 89 processes
 * and 187 ms with 5,085 (about 34 us a process; 168-319 ms), containerd's API 30 ms either way; in
 * a warm JVM the scan of 5,085 took 76 ms, and its reads of {@code /proc} alone, in C, 46 ms: the
 * kernel's floor for any scan of {@code /proc}. So it stays the fallback behind the runtime's API,
 * not the only source.
 */
public final class CgroupScan implements PidSource {
  private final Path proc;

  public CgroupScan(Path proc) {
    this.proc = proc;
  }

  @Override
  public String name() {
    return "cgroup scan of " + proc;
  }

  /**
   * A process of the container.
   *
   * @param pid its PID
   * @param parent its parent's PID
   * @param startTime its start time in clock ticks since boot
   */
  record Member(int pid, int parent, long startTime) {}

  @Override
  public Lookup find(String containerId) {
    Pattern pattern = CgroupMembership.containerPattern(containerId);
    Map<Integer, Member> members = new HashMap<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(proc)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (name.isEmpty() || !Character.isDigit(name.charAt(0))) {
          continue;
        }
        String cgroups = readOrEmpty(entry.resolve("cgroup"));
        if (cgroups.isEmpty() || !CgroupMembership.mentions(cgroups, pattern)) {
          continue;
        }
        member(entry).ifPresent(m -> members.put(m.pid(), m));
      }
    } catch (IOException e) {
      return Lookup.missed("cannot list " + proc + ": " + e.getMessage());
    }
    return members.values().stream()
        .filter(m -> !members.containsKey(m.parent()))
        .min(java.util.Comparator.comparingLong(Member::startTime).thenComparingInt(Member::pid))
        .map(m -> Lookup.found(m.pid()))
        .orElseGet(() -> Lookup.missed("no process in a cgroup named after '" + containerId + "'"));
  }

  private static Optional<Member> member(Path entry) {
    String stat = readOrEmpty(entry.resolve("stat"));
    int close = stat.lastIndexOf(')');
    if (close < 0) {
      return Optional.empty();
    }
    String[] fields = stat.substring(close + 2).split(" ");
    // fields[0] is the state (stat field 3); ppid is field 4, starttime field 22
    if (fields.length < 20 || fields[0].equals("Z")) {
      return Optional.empty();
    }
    return Optional.of(
        new Member(
            Integer.parseInt(entry.getFileName().toString()),
            Integer.parseInt(fields[1]),
            Long.parseLong(fields[19])));
  }

  private static String readOrEmpty(Path file) {
    try {
      return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return ""; // the process ended meanwhile
    }
  }
}
