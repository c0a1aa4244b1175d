package dev.lambdacntr.agent.target;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CgroupPlacementTest {
  private static final String HOST_MOUNTS =
      """
      32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
      35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
      40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
      41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
      """;

  /** What a pod's private cgroup mounts look like: only its own subtree. */
  private static final String POD_MOUNTS =
      """
      900 800 0:32 /kubepods/pod1/agent /sys/fs/cgroup/memory ro,nosuid - cgroup cgroup rw,memory
      901 800 0:29 /kubepods/pod1/agent /sys/fs/cgroup/cpu,cpuacct ro,nosuid - cgroup cgroup rw,cpu,cpuacct
      """;

  private static final String TARGET =
      """
      9:name=systemd:/kubepods/pod2/abc
      4:memory:/kubepods/pod2/abc
      1:cpu:/kubepods/pod2/abc
      0::/kubepods/pod2/abc
      """;

  @Test
  void findsEachHierarchyUnderTheHostsMounts() {
    List<String> unreachable = new ArrayList<>();
    List<CgroupPlacement.Join> joins =
        CgroupPlacement.resolve(
            TARGET,
            List.of(new CgroupPlacement.MountTable("", MountInfo.parseAll(HOST_MOUNTS))),
            unreachable);
    assertThat(joins)
        .containsExactly(
            new CgroupPlacement.Join(
                "name=systemd",
                "/kubepods/pod2/abc",
                "/sys/fs/cgroup/systemd/kubepods/pod2/abc/cgroup.procs"),
            new CgroupPlacement.Join(
                "memory",
                "/kubepods/pod2/abc",
                "/sys/fs/cgroup/memory/kubepods/pod2/abc/cgroup.procs"),
            new CgroupPlacement.Join(
                "cpu", "/kubepods/pod2/abc", "/sys/fs/cgroup/cpu/kubepods/pod2/abc/cgroup.procs"),
            new CgroupPlacement.Join(
                "unified",
                "/kubepods/pod2/abc",
                "/sys/fs/cgroup/unified/kubepods/pod2/abc/cgroup.procs"));
    assertThat(unreachable).isEmpty();
  }

  @Test
  void aPodsOwnSubtreeMountsDoNotShowTheTargetSoTheHostsAreUsed() {
    List<String> unreachable = new ArrayList<>();
    List<CgroupPlacement.Join> joins =
        CgroupPlacement.resolve(
            "4:memory:/kubepods/pod2/abc\n3:pids:/kubepods/pod2/abc\n",
            List.of(
                new CgroupPlacement.MountTable("", MountInfo.parseAll(POD_MOUNTS)),
                new CgroupPlacement.MountTable("/proc/1/root", MountInfo.parseAll(HOST_MOUNTS))),
            unreachable);
    assertThat(joins)
        .containsExactly(
            new CgroupPlacement.Join(
                "memory",
                "/kubepods/pod2/abc",
                "/proc/1/root/sys/fs/cgroup/memory/kubepods/pod2/abc/cgroup.procs"));
    assertThat(unreachable).containsExactly("pids:/kubepods/pod2/abc");
  }

  @Test
  void aMountOfASubtreeServesTheCgroupsBelowIt() {
    List<CgroupPlacement.Join> joins =
        CgroupPlacement.resolve(
            "4:memory:/kubepods/pod1/agent/child\n",
            List.of(new CgroupPlacement.MountTable("", MountInfo.parseAll(POD_MOUNTS))),
            new ArrayList<>());
    assertThat(joins)
        .extracting(CgroupPlacement.Join::procsFile)
        .containsExactly("/sys/fs/cgroup/memory/child/cgroup.procs");
  }

  @Test
  void mountPointsAreUnescaped() {
    assertThat(MountInfo.parseAll("1 2 0:1 / /mnt/a\\040b rw - tmpfs tmpfs rw\n"))
        .extracting(MountInfo::mountPoint)
        .containsExactly("/mnt/a b");
  }
}
