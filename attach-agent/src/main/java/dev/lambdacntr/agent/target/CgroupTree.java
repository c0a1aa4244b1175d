package dev.lambdacntr.agent.target;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Container ID to PID through the cgroup tree: the container's cgroup directory, found by its name,
 * then its {@code cgroup.procs}. Every runtime names a container's cgroup after its ID, and a
 * kubelet puts it directly below the pod's, named after the pod UID:
 *
 * <pre>
 * containerd, cgroupfs:  /kubepods/besteffort/pod&lt;UID&gt;/&lt;ID&gt;
 * containerd, systemd:   /kubepods.slice/kubepods-besteffort.slice/
 *                            kubepods-besteffort-pod&lt;UID_&gt;.slice/cri-containerd-&lt;ID&gt;.scope
 * CRI-O:                 .../pod&lt;UID&gt;/crio-&lt;ID&gt; | ...pod&lt;UID_&gt;.slice/crio-&lt;ID&gt;.scope
 * Docker:                /docker/&lt;ID&gt; | /system.slice/docker-&lt;ID&gt;.scope
 * containerd (ctr):      /&lt;NAMESPACE&gt;/&lt;ID&gt;
 * </pre>
 *
 * (a systemd driver writes the UID with underscores). With a pod UID, only a container directory
 * directly below that pod's directory counts, and the directory of any other pod is never entered:
 * a process of another pod cannot name a cgroup of its own after the container and be taken for it.
 * Without one (a container on a plain host), the shallowest directory named after the ID wins.
 *
 * <p>The search walks directories only, breadth first, in the cgroup v2 hierarchy first, then the
 * v1 hierarchies ({@code name=systemd}, {@code pids}, {@code memory}, ...), each under the agent's
 * own mounts and then, if the container is not there (an agent in a pod sees its own cgroup
 * namespace), under the host's through {@code /proc/1/root} (or the root of the agent's nearest
 * ancestor in the host's mount namespace, where PID 1 does not let it in). Control files are told
 * from cgroups by their names ({@code memory.max}, {@code tasks}), so no entry is stat'ed. With a
 * pod UID, the kubelet's cgroups are searched first (see {@link #containerDirectory}), so its cost
 * grows with neither the node's processes nor its other pods' containers. Of the processes in the
 * container's cgroup and below it, the container's init is the one whose parent is not among them
 * (the shim is outside), the oldest if several (exec'd processes also hang off the shim).
 *
 * <p>It replaced the runtime API clients (containerd, CRI, Docker) and the scan of every {@code
 * /proc/PID/cgroup}, measured in one run ({@code benchmarks/agent/pid-lookup 15}, 2 CPUs shared
 * with other builds, Linux 6.18, medians in ms; the agent: a new JVM with the AOT cache, as the CLI
 * runs it):
 *
 * <pre>
 * variant                           108 processes   5,103 processes
 * agent: cgroup tree                         22.7              22.3
 * agent: scan of /proc                       23.4             222.1
 * agent: containerd API                      35.8              34.8
 * warm JVM: cgroup tree                       1.5               1.0
 * warm JVM: scan of /proc                     3.0              91.4
 * warm JVM: containerd API                    2.6               2.5
 * </pre>
 *
 * With 300 more pods (two containers each) beside the target's and 300 service cgroups, the look-up
 * took 42 ms in the agent and 3.2 ms warm (in that run, with the machine's own cgroups: 23 and 3.6;
 * load average 11); the same 600 cgroups walked in plain breadth-first order, without the kubelet's
 * cgroups first, took 112 and 14.5 ms.
 */
public final class CgroupTree {
  /** The prefixes of the kernel's control files ({@code cgroup.procs}, {@code memory.max}). */
  private static final Set<String> CONTROL_PREFIXES =
      Set.of(
          "cgroup",
          "cpu",
          "cpuacct",
          "cpuset",
          "memory",
          "io",
          "blkio",
          "pids",
          "hugetlb",
          "rdma",
          "misc",
          "irq",
          "devices",
          "freezer",
          "net_cls",
          "net_prio",
          "perf_event");

  private static final Set<String> CONTROL_FILES = Set.of("tasks", "notify_on_release");

  /** The runtimes' prefixes of a container's cgroup name. */
  private static final List<String> RUNTIME_PREFIXES =
      List.of("cri-containerd-", "crio-", "docker-", "libpod-");

  /**
   * A pod's cgroup, with either driver: {@code pod<UID>}, {@code kubepods-...-pod<UID_>.slice}; a
   * static pod's UID is 32 hex digits.
   */
  private static final Pattern ANY_POD =
      Pattern.compile(
          "(?:.*-)?pod(?:\\p{XDigit}{32}|\\p{XDigit}{8}(?:[-_]\\p{XDigit}{4}){3}[-_]\\p{XDigit}{12})"
              + "(?:\\.slice)?");

  private final Supplier<List<Path>> hierarchies;
  private final Optional<String> podUid;

  /**
   * @param hierarchies the roots of the cgroup hierarchies to search, in order
   * @param podUid the pod whose container it is, when known
   */
  public CgroupTree(Supplier<List<Path>> hierarchies, Optional<String> podUid) {
    this.hierarchies = hierarchies;
    this.podUid = podUid;
  }

  /** The hierarchies mounted for the agent, then the host's. */
  public static CgroupTree onThisHost(Optional<String> podUid) {
    return new CgroupTree(CgroupTree::mountedHierarchies, podUid);
  }

  /**
   * What a look-up found.
   *
   * @param pid the container's init, when found
   * @param detail for a miss, why
   */
  public record Lookup(OptionalInt pid, String detail) {
    static Lookup found(int pid) {
      return new Lookup(OptionalInt.of(pid), "");
    }

    static Lookup missed(String detail) {
      return new Lookup(OptionalInt.empty(), detail);
    }
  }

  /**
   * The full ID of the container {@code givenId} names: itself, or without a pod UID, when it is
   * the first 12 or more digits of an ID (as {@code docker ps} and {@code crictl ps} print it), the
   * one container ID in the tree that starts with them. Several such IDs are refused (120), naming
   * them.
   */
  public String fullId(String givenId) {
    if (podUid.isPresent() || !isShortId(givenId)) {
      return givenId;
    }
    // every hierarchy names the same containers: the first that names any answers, as in find
    Set<String> ids = Set.of();
    for (Path root : hierarchies.get()) {
      ids = idsStartingWith(root, givenId);
      if (!ids.isEmpty()) {
        break;
      }
    }
    if (ids.size() > 1) {
      throw new CntrException(
          ExitCode.AGENT_USAGE,
          "container ID "
              + givenId
              + " is ambiguous: "
              + ids.size()
              + " containers' IDs start with it ("
              + String.join(", ", ids)
              + "); give more of it");
    }
    return ids.isEmpty() ? givenId : ids.iterator().next();
  }

  /** The init of the container with this ID (of the pod, when a pod UID was given). */
  public Lookup find(String containerId) {
    List<Path> searched = new ArrayList<>();
    for (Path root : hierarchies.get()) {
      searched.add(root);
      Optional<Path> dir = containerDirectory(root, containerId, podUid);
      if (dir.isPresent()) {
        return initOf(members(dir.get()))
            .map(Lookup::found)
            .orElseGet(() -> Lookup.missed("no running process in the cgroup " + dir.get()));
      }
    }
    return Lookup.missed(
        "no cgroup named after container "
            + containerId
            + podUid.map(u -> " below pod " + u).orElse("")
            + " in "
            + (searched.isEmpty() ? "any mounted cgroup hierarchy" : searched));
  }

  /**
   * The oldest process of the pod (a pod UID must have been given) whose parent is outside the pod:
   * its sandbox's, else a container's first process; the runtime's shim is its parent.
   */
  public Lookup oldestOfPod() {
    String uid = podUid.orElseThrow();
    for (Path root : hierarchies.get()) {
      Optional<Path> dir = podDirectory(root, uid);
      if (dir.isPresent()) {
        return initOf(members(dir.get()))
            .map(Lookup::found)
            .orElseGet(() -> Lookup.missed("no running process in the cgroup " + dir.get()));
      }
    }
    return Lookup.missed("no cgroup of pod " + uid + " in any mounted cgroup hierarchy");
  }

  /** The pod's cgroup directory below {@code root}, breadth first; no other pod's is entered. */
  private static Optional<Path> podDirectory(Path root, String podUid) {
    ArrayDeque<Path> queue = new ArrayDeque<>();
    queue.add(root);
    while (!queue.isEmpty()) {
      Path dir = queue.poll();
      for (String name : subdirectoryNames(dir)) {
        if (namesPod(name, podUid)) {
          return Optional.of(dir.resolve(name));
        }
        if (!ANY_POD.matcher(name).matches()) {
          queue.add(dir.resolve(name));
        }
      }
    }
    return Optional.empty();
  }

  /**
   * The container's cgroup directory below {@code root}: breadth first, the shallowest; with a pod
   * UID, only directly below that pod's directory, and no other pod's directory is entered. With a
   * pod UID the kubelet's cgroups are searched first ({@code kubepods}, {@code kubepods.slice},
   * {@code kubelet.slice}, ... at the root, and all below them): on a node, that leaves out every
   * cgroup outside pods; the rest of the tree only when that finds nothing (a kubelet whose cgroup
   * root is deeper, as in a node in a container).
   */
  static Optional<Path> containerDirectory(Path root, String containerId, Optional<String> podUid) {
    if (podUid.isPresent()) {
      Optional<Path> belowKubelet = search(root, containerId, podUid, true);
      if (belowKubelet.isPresent()) {
        return belowKubelet;
      }
    }
    return search(root, containerId, podUid, false);
  }

  /** A directory to search, and whether it is one of the kubelet's or below one. */
  private record Pending(Path dir, boolean kubelets) {}

  private static Optional<Path> search(
      Path root, String containerId, Optional<String> podUid, boolean kubeletsOnly) {
    ArrayDeque<Pending> queue = new ArrayDeque<>();
    queue.add(new Pending(root, false));
    while (!queue.isEmpty()) {
      Pending pending = queue.poll();
      Path dir = pending.dir();
      for (String name : subdirectoryNames(dir)) {
        if (podUid.isPresent() && namesPod(name, podUid.get())) {
          for (String child : subdirectoryNames(dir.resolve(name))) {
            if (namesContainer(child, containerId)) {
              return Optional.of(dir.resolve(name).resolve(child));
            }
          }
          continue; // the pod without the container: nothing deeper is its
        }
        if (podUid.isPresent() && ANY_POD.matcher(name).matches()) {
          continue; // another pod: never entered
        }
        if (namesContainer(name, containerId)) {
          if (podUid.isEmpty()) {
            return Optional.of(dir.resolve(name));
          }
          continue; // named after the container but outside the pod
        }
        boolean kubelets =
            pending.kubelets() || name.contains("kubepods") || name.contains("kubelet");
        if (kubelets || !kubeletsOnly) {
          queue.add(new Pending(dir.resolve(name), kubelets));
        }
      }
    }
    return Optional.empty();
  }

  /** An ID as runtimes print it short: 12 to 63 lower-case hexadecimal digits. */
  static boolean isShortId(String id) {
    return id.length() >= 12 && id.length() < 64 && isHex(id);
  }

  private static boolean isHex(String s) {
    return s.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  }

  /** The full container IDs named below {@code root} (any depth) that start with {@code prefix}. */
  static Set<String> idsStartingWith(Path root, String prefix) {
    Set<String> ids = new TreeSet<>();
    ArrayDeque<Path> queue = new ArrayDeque<>();
    queue.add(root);
    while (!queue.isEmpty()) {
      Path dir = queue.poll();
      for (String name : subdirectoryNames(dir)) {
        idOf(name).filter(id -> id.startsWith(prefix)).ifPresent(ids::add);
        queue.add(dir.resolve(name));
      }
    }
    return ids;
  }

  /** The 64-digit container ID a cgroup's name is, alone or with a runtime's affixes. */
  static Optional<String> idOf(String name) {
    String id = withoutAffixes(name);
    return id.length() == 64 && isHex(id) ? Optional.of(id) : Optional.empty();
  }

  /** Whether a cgroup's name is the container's: its ID, alone or with a runtime's affixes. */
  static boolean namesContainer(String name, String containerId) {
    return name.equals(containerId) || withoutAffixes(name).equals(containerId);
  }

  /**
   * A cgroup's name without a runtime's prefix ({@code cri-containerd-}, {@code crio-}, ...) and
   * then {@code .scope}; a name without such a prefix as it is.
   */
  private static String withoutAffixes(String name) {
    for (String prefix : RUNTIME_PREFIXES) {
      if (name.startsWith(prefix)) {
        String rest = name.substring(prefix.length());
        return rest.endsWith(".scope")
            ? rest.substring(0, rest.length() - ".scope".length())
            : rest;
      }
    }
    return name;
  }

  /** Whether a cgroup's name is the pod's: {@code pod<UID>} or {@code ...-pod<UID_>.slice}. */
  static boolean namesPod(String name, String podUid) {
    if (name.equals("pod" + podUid)) {
      return true;
    }
    String slice = "pod" + podUid.replace('-', '_') + ".slice";
    return name.equals(slice) || name.endsWith("-" + slice);
  }

  /** The names of a directory's subdirectories, told from control files by name. */
  private static List<String> subdirectoryNames(Path dir) {
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (!isControlFile(name)) {
          names.add(name);
        }
      }
    } catch (NotDirectoryException | NoSuchFileException e) {
      // a file the names did not tell apart, or a cgroup removed meanwhile
    } catch (IOException e) {
      // unreadable: nothing below it is searched
    }
    return names;
  }

  static boolean isControlFile(String name) {
    int dot = name.indexOf('.');
    return CONTROL_FILES.contains(name)
        || name.equals("release_agent")
        || (dot > 0 && CONTROL_PREFIXES.contains(name.substring(0, dot)));
  }

  /**
   * A process of the container.
   *
   * @param pid its PID
   * @param parent its parent's PID
   * @param startTime its start time in clock ticks since boot
   */
  record Member(int pid, int parent, long startTime) {}

  /** The live processes of a cgroup and of the cgroups below it. */
  private static Map<Integer, Member> members(Path cgroup) {
    Map<Integer, Member> members = new HashMap<>();
    ArrayDeque<Path> queue = new ArrayDeque<>();
    queue.add(cgroup);
    while (!queue.isEmpty()) {
      Path dir = queue.poll();
      for (String line : readOrEmpty(dir.resolve("cgroup.procs")).split("\n")) {
        if (!line.isBlank()) {
          member(Integer.parseInt(line.strip())).ifPresent(m -> members.put(m.pid(), m));
        }
      }
      subdirectoryNames(dir).forEach(name -> queue.add(dir.resolve(name)));
    }
    return members;
  }

  /** The member whose parent is not a member, the oldest if several. */
  static Optional<Integer> initOf(Map<Integer, Member> members) {
    return members.values().stream()
        .filter(m -> !members.containsKey(m.parent()))
        .min(Comparator.comparingLong(Member::startTime).thenComparingInt(Member::pid))
        .map(Member::pid);
  }

  private static Optional<Member> member(int pid) {
    String stat = readOrEmpty(Path.of("/proc", Integer.toString(pid), "stat"));
    int close = stat.lastIndexOf(')');
    if (close < 0) {
      return Optional.empty(); // ended meanwhile
    }
    String[] fields = stat.substring(close + 2).split(" ");
    // fields[0] is the state (stat field 3); ppid is field 4, starttime field 22
    if (fields.length < 20 || fields[0].equals("Z")) {
      return Optional.empty();
    }
    return Optional.of(new Member(pid, Integer.parseInt(fields[1]), Long.parseLong(fields[19])));
  }

  /**
   * The roots of the mounted cgroup hierarchies, v2 first, then v1 ({@code name=systemd} and the
   * controllers runtimes always join first), the agent's mounts before the host's; a hierarchy seen
   * twice (the agent on the host sees its own mounts through {@code /proc/1/root} too) once. The
   * host's are those of PID 1 (the agent pod runs with hostPID), else, where PID 1 does not let the
   * agent in, those of the agent's nearest ancestor in another mount namespace (the runtime's shim
   * that started it).
   */
  static List<Path> mountedHierarchies() {
    List<Path> roots =
        new ArrayList<>(hierarchyRoots("", readOrEmpty(Path.of("/proc/self/mountinfo"))));
    hostProcess()
        .ifPresent(
            host ->
                roots.addAll(
                    hierarchyRoots(
                        "/proc/" + host + "/root",
                        readOrEmpty(Path.of("/proc/" + host + "/mountinfo")))));
    Set<Object> seen = new HashSet<>();
    List<Path> distinct = new ArrayList<>();
    for (Path root : roots) {
      Object key = fileKey(root);
      if (key == null || seen.add(key)) {
        distinct.add(root);
      }
    }
    return distinct;
  }

  /** A process whose root shows the host's mounts: PID 1, else the nearest ancestor elsewhere. */
  private static Optional<Integer> hostProcess() {
    if (Files.isDirectory(Path.of("/proc/1/root/sys"))) {
      return Optional.of(1);
    }
    String ownNamespace = link(Path.of("/proc/self/ns/mnt"));
    int pid = parentOf((int) ProcessHandle.current().pid());
    for (int depth = 0; pid > 1 && depth < 16; depth++, pid = parentOf(pid)) {
      String namespace = link(Path.of("/proc/" + pid + "/ns/mnt"));
      if (!namespace.isEmpty()
          && !namespace.equals(ownNamespace)
          && Files.isDirectory(Path.of("/proc/" + pid + "/root/sys"))) {
        return Optional.of(pid);
      }
    }
    return Optional.empty();
  }

  private static int parentOf(int pid) {
    String stat = readOrEmpty(Path.of("/proc", Integer.toString(pid), "stat"));
    int close = stat.lastIndexOf(')');
    String[] fields = close < 0 ? new String[0] : stat.substring(close + 2).split(" ");
    return fields.length > 1 ? Integer.parseInt(fields[1]) : 0;
  }

  private static String link(Path path) {
    try {
      return Files.readSymbolicLink(path).toString();
    } catch (IOException e) {
      return "";
    }
  }

  /** The cgroup mount points of one mountinfo text, prefixed, in the order to search them. */
  static List<Path> hierarchyRoots(String prefix, String mountinfo) {
    List<String> v1Order = List.of("name=systemd", "pids", "memory", "cpu", "devices");
    List<MountInfo> mounts = new ArrayList<>();
    for (MountInfo mount : MountInfo.parseAll(mountinfo)) {
      if (mount.fsType().equals("cgroup2") || mount.fsType().equals("cgroup")) {
        mounts.add(mount);
      }
    }
    mounts.sort(
        Comparator.comparingInt(
            (MountInfo m) -> {
              if (m.fsType().equals("cgroup2")) {
                return -1;
              }
              for (int i = 0; i < v1Order.size(); i++) {
                if (m.superOptions().contains(v1Order.get(i))) {
                  return i;
                }
              }
              return v1Order.size();
            }));
    List<Path> roots = new ArrayList<>();
    for (MountInfo mount : mounts) {
      roots.add(Path.of(prefix.isEmpty() ? mount.mountPoint() : prefix + mount.mountPoint()));
    }
    return roots;
  }

  private static Object fileKey(Path path) {
    try {
      return Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class)
          .fileKey();
    } catch (IOException e) {
      return null;
    }
  }

  private static String readOrEmpty(Path file) {
    try {
      return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return ""; // the process or the cgroup ended meanwhile
    }
  }
}
