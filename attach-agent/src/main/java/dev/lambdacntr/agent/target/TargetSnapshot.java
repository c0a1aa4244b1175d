package dev.lambdacntr.agent.target;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

/**
 * What a session adopts from the target's main process, read from {@code /proc/PID} before
 * entering: environment, identity (already in the ids of the target's user namespace),
 * capabilities, no_new_privs, working directory, security label and cgroups.
 *
 * @param environment the target's environment, {@code NAME=value} entries
 * @param uid the effective uid, as the target's user namespace numbers it
 * @param gid the effective gid, likewise
 * @param groups the supplementary groups, likewise
 * @param capabilities the capability sets
 * @param noNewPrivs whether no_new_privs is set
 * @param workingDirectory the working directory, relative to the target's root
 * @param securityLabel the LSM label to apply, if the node has an LSM and the target is confined
 * @param cgroups the cgroups to join
 * @param unreachableCgroups hierarchies whose mount the agent cannot reach (left unjoined)
 */
public record TargetSnapshot(
    List<String> environment,
    long uid,
    long gid,
    List<Long> groups,
    Capabilities capabilities,
    boolean noNewPrivs,
    String workingDirectory,
    Optional<SecurityLabel> securityLabel,
    List<CgroupPlacement.Join> cgroups,
    List<String> unreachableCgroups) {

  public TargetSnapshot {
    environment = List.copyOf(environment);
    groups = List.copyOf(groups);
    cgroups = List.copyOf(cgroups);
    unreachableCgroups = List.copyOf(unreachableCgroups);
  }

  /** Reads the snapshot; {@code ownUserNamespace} when the target's user namespace is not ours. */
  public static TargetSnapshot read(TargetProcess target, boolean ownUserNamespace) {
    ProcStatus status = ProcStatus.parse(target.read("status"), target.pid());
    long uid = status.uid();
    long gid = status.gid();
    List<Long> groups = status.groups();
    if (ownUserNamespace) {
      IdMap uids = IdMap.parse(target.read("uid_map"));
      IdMap gids = IdMap.parse(target.read("gid_map"));
      uid = uids.inside(uid, "uid");
      gid = gids.inside(gid, "gid");
      List<Long> mapped = new ArrayList<>();
      for (long group : groups) {
        try {
          mapped.add(gids.inside(group, "group"));
        } catch (RuntimeException unmapped) {
          // a group the target's namespace cannot name is one it does not have there either
        }
      }
      groups = mapped;
    }
    String procCgroup = target.read("cgroup");
    List<String> unreachable = new ArrayList<>();
    List<CgroupPlacement.Join> cgroups =
        CgroupPlacement.resolve(procCgroup, List.of(ownMounts()), unreachable);
    if (!unreachable.isEmpty()) {
      // the agent's own cgroup mounts do not show the target's: look through the host's
      unreachable.clear();
      cgroups = CgroupPlacement.resolve(procCgroup, mountTables(target), unreachable);
    }
    return new TargetSnapshot(
        environment(target.readBytes("environ")),
        uid,
        gid,
        groups,
        status.capabilities(),
        status.noNewPrivs(),
        target.link("cwd"),
        SecurityLabel.of(target),
        cgroups,
        unreachable);
  }

  static List<String> environment(byte[] environ) {
    List<String> entries = new ArrayList<>();
    for (String entry : new String(environ, StandardCharsets.UTF_8).split("\0")) {
      if (entry.indexOf('=') > 0) {
        entries.add(entry);
      }
    }
    return entries;
  }

  /**
   * Where to look for the cgroup hierarchies: the agent's own mounts, then those of the host's
   * mount namespace as seen through a host process (the agent pod runs with hostPID): PID 1, else
   * the target's parent and grandparent (the runtime's shim and what started it), whichever lets
   * the agent in through {@code /proc/PID/root}.
   */
  private static List<CgroupPlacement.MountTable> mountTables(TargetProcess target) {
    List<CgroupPlacement.MountTable> tables = new ArrayList<>();
    tables.add(ownMounts());
    int parent = parentOf(target.pid());
    for (int host : new LinkedHashSet<>(List.of(1, parent, parentOf(parent)))) {
      Path root = Path.of("/proc", Integer.toString(host), "root");
      if (host > 0 && Files.isReadable(root) && Files.isDirectory(root.resolve("sys"))) {
        tables.add(
            new CgroupPlacement.MountTable(
                root.toString(), MountInfo.parseAll(readOrEmpty("/proc/" + host + "/mountinfo"))));
      }
    }
    return tables;
  }

  private static CgroupPlacement.MountTable ownMounts() {
    return new CgroupPlacement.MountTable(
        "", MountInfo.parseAll(readOrEmpty("/proc/self/mountinfo")));
  }

  private static int parentOf(int pid) {
    if (pid <= 0) {
      return 0;
    }
    String stat = readOrEmpty("/proc/" + pid + "/stat");
    int close = stat.lastIndexOf(')');
    if (close < 0) {
      return 0;
    }
    String[] fields = stat.substring(close + 2).split(" ");
    return fields.length > 1 ? Integer.parseInt(fields[1]) : 0;
  }

  private static String readOrEmpty(String file) {
    try {
      return Files.readString(Path.of(file));
    } catch (IOException e) {
      return "";
    }
  }
}
