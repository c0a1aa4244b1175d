package dev.lambdacntr.agent.target;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether a process belongs to a container of a pod, by its cgroup paths ({@code
 * /proc/PID/cgroup}). Every CRI runtime puts a container's processes in a cgroup named after the
 * container ID, below one named after the pod UID, with either cgroup driver:
 *
 * <pre>
 * cgroupfs: /kubepods/besteffort/pod&lt;UID&gt;/&lt;ID&gt;
 * systemd:  /kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod&lt;UID_&gt;.slice/
 *           cri-containerd-&lt;ID&gt;.scope | docker-&lt;ID&gt;.scope | crio-&lt;ID&gt;.scope
 * </pre>
 *
 * (in the systemd form the UID's dashes are underscores). Both must be whole components of one
 * path, the pod's above the container's: a substring is not a match.
 */
public final class CgroupMembership {
  private CgroupMembership() {}

  /** The ID as a whole component of a cgroup path, allowing the runtimes' prefixes and suffixes. */
  public static Pattern containerPattern(String containerId) {
    return Pattern.compile("(?:^|[/\\-:_.])" + Pattern.quote(containerId) + "(?:$|[/.])");
  }

  /** The pod UID as a component: {@code pod<UID>} with dashes or underscores. */
  static Pattern podPattern(String podUid) {
    String uid = Pattern.quote(podUid).replace("-", "\\E[-_]\\Q");
    return Pattern.compile("(?:^|[/\\-])pod" + uid + "(?:$|/|\\.slice(?:$|/))");
  }

  /** Whether a line of {@code /proc/PID/cgroup} has the container ID as a component. */
  public static boolean mentions(String procCgroup, Pattern container) {
    for (String line : procCgroup.split("\n")) {
      if (container.matcher(path(line)).find()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Empty when the process whose {@code /proc/PID/cgroup} this is belongs to the container (and to
   * the pod, when its UID is given); otherwise why not.
   */
  public static Optional<String> mismatch(
      String procCgroup, String containerId, Optional<String> podUid) {
    Pattern container = containerPattern(containerId);
    boolean containerSeen = false;
    for (String line : procCgroup.split("\n")) {
      String path = path(line);
      Matcher c = container.matcher(path);
      if (!c.find()) {
        continue;
      }
      containerSeen = true;
      if (podUid.isEmpty()) {
        return Optional.empty();
      }
      Matcher p = podPattern(podUid.get()).matcher(path);
      if (p.find() && p.start() < c.start()) {
        return Optional.empty();
      }
    }
    return Optional.of(
        containerSeen
            ? "its cgroup path has container " + containerId + " but not below pod " + podUid.get()
            : "no cgroup path of it names container " + containerId);
  }

  private static String path(String line) {
    int second = line.indexOf(':', line.indexOf(':') + 1);
    return second >= 0 ? line.substring(second + 1) : "";
  }
}
