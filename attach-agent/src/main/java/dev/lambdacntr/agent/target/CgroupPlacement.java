package dev.lambdacntr.agent.target;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Where the target's cgroups are, as files the agent can write to: for every line of {@code
 * /proc/PID/cgroup}, the {@code cgroup.procs} of that cgroup under a mount of its hierarchy that
 * shows it. The agent's own mounts are tried first (a host, or a pod with the host's cgroup tree);
 * then the host's, through {@code /proc/1/root} (the agent pod runs with hostPID).
 */
public final class CgroupPlacement {
  private CgroupPlacement() {}

  /**
   * One cgroup to join.
   *
   * @param hierarchy the controllers of a v1 hierarchy ({@code cpu,cpuacct}), or {@code unified}
   * @param path the cgroup's path inside its hierarchy
   * @param procsFile the {@code cgroup.procs} file that moves a process into it
   */
  public record Join(String hierarchy, String path, String procsFile) {}

  /**
   * The mount tables to look in, each with the prefix that makes its mount points reachable.
   *
   * @param prefix prepended to a mount point ({@code ""} or {@code /proc/1/root})
   * @param mounts the parsed mountinfo
   */
  public record MountTable(String prefix, List<MountInfo> mounts) {}

  /**
   * The joins for a {@code /proc/PID/cgroup} text. Hierarchies not mounted anywhere reachable are
   * left out: they are listed in {@code unreachable}.
   */
  public static List<Join> resolve(
      String procCgroup, List<MountTable> tables, List<String> unreachable) {
    List<Join> joins = new ArrayList<>();
    for (String line : procCgroup.split("\n")) {
      String[] parts = line.split(":", 3);
      if (parts.length != 3) {
        continue;
      }
      String controllers = parts[1];
      String path = parts[2];
      String hierarchy = controllers.isEmpty() ? "unified" : controllers;
      Optional<String> dir = locate(controllers, path, tables);
      if (dir.isPresent()) {
        joins.add(new Join(hierarchy, path, dir.get() + "/cgroup.procs"));
      } else {
        unreachable.add(hierarchy + ":" + path);
      }
    }
    return joins;
  }

  private static Optional<String> locate(String controllers, String path, List<MountTable> tables) {
    List<String> wanted = controllers.isEmpty() ? List.of() : Arrays.asList(controllers.split(","));
    for (MountTable table : tables) {
      for (MountInfo mount : table.mounts()) {
        boolean sameHierarchy =
            wanted.isEmpty()
                ? mount.fsType().equals("cgroup2")
                : mount.fsType().equals("cgroup") && mount.superOptions().containsAll(wanted);
        if (!sameHierarchy) {
          continue;
        }
        String root = mount.root();
        if (root.equals("/")) {
          return Optional.of(table.prefix() + trimSlash(mount.mountPoint()) + path);
        }
        if (path.equals(root) || path.startsWith(root + "/")) {
          return Optional.of(
              table.prefix() + trimSlash(mount.mountPoint()) + path.substring(root.length()));
        }
      }
    }
    return Optional.empty();
  }

  private static String trimSlash(String mountPoint) {
    return mountPoint.equals("/") ? "" : mountPoint;
  }
}
