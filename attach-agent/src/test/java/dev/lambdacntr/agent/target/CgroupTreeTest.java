package dev.lambdacntr.agent.target;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lambdacntr.protocol.CntrException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container's cgroup directory by name, on trees shaped like the real ones (paths as the
 * kubelet, containerd, CRI-O and Docker lay them out with each cgroup driver), with the kernel's
 * control files beside the cgroups.
 */
class CgroupTreeTest {
  static final String ID = "5d1e0f8c2b7a9e4f1c3d6b8a0e2f4c6d8b0a2e4f6c8d0b2a4e6f8c0d2b4a6e8f";
  static final String UID = "9b3f6a2e-1c4d-4e8f-a0b2-c3d4e5f6a7b8";
  static final String OTHER_UID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
  static final String UID_ = UID.replace('-', '_');
  static final String OTHER_UID_ = OTHER_UID.replace('-', '_');

  /** Container cgroups of each runtime and driver, v2 and v1 (the same paths in each hierarchy). */
  static final List<String> POD_CONTAINERS =
      List.of(
          "kubepods/besteffort/pod" + UID + "/" + ID, // containerd, cgroupfs
          "kubepods/pod" + UID + "/" + ID, // guaranteed
          "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"
              + UID_
              + ".slice/cri-containerd-"
              + ID
              + ".scope", // containerd, systemd
          "kubepods.slice/kubepods-pod" + UID_ + ".slice/crio-" + ID + ".scope", // CRI-O, systemd
          "kubepods/burstable/pod" + UID + "/crio-" + ID, // CRI-O, cgroupfs
          "kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod"
              + UID_
              + ".slice/docker-"
              + ID
              + ".scope", // cri-dockerd, systemd
          "kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/"
              + "kubelet-kubepods-besteffort-pod"
              + UID_
              + ".slice/cri-containerd-"
              + ID
              + ".scope"); // kind's nested kubelet

  /** Standalone containers: Docker with either driver, containerd's ctr. */
  static final List<String> HOST_CONTAINERS =
      List.of(
          "docker/" + ID,
          "system.slice/docker-" + ID + ".scope",
          "k8s.io/" + ID,
          "machine.slice/libpod-" + ID + ".scope");

  @TempDir Path root;

  /** A cgroup directory with the control files the kernel puts in every one. */
  private Path cgroup(String path, long... pids) throws IOException {
    Path dir = Files.createDirectories(root.resolve(path));
    for (Path d = dir; d.startsWith(root); d = d.getParent()) {
      for (String file : List.of("cgroup.procs", "memory.max", "cpu.pressure", "tasks")) {
        if (!Files.exists(d.resolve(file))) {
          Files.writeString(d.resolve(file), "");
        }
      }
      if (d.equals(root)) {
        break;
      }
    }
    StringBuilder procs = new StringBuilder();
    for (long pid : pids) {
      procs.append(pid).append('\n');
    }
    Files.writeString(dir.resolve("cgroup.procs"), procs);
    return dir;
  }

  private Optional<Path> find(Optional<String> podUid) {
    return CgroupTree.containerDirectory(root, ID, podUid);
  }

  @Test
  void findsAPodsContainerWithEachRuntimeAndDriver() throws IOException {
    for (String path : POD_CONTAINERS) {
      Path dir = cgroup(path);
      cgroup("system.slice/containerd.service");
      assertThat(find(Optional.of(UID))).as(path).contains(dir);
      assertThat(find(Optional.empty())).as(path).contains(dir);
      deleteBelow(root);
    }
  }

  @Test
  void findsAPodBelowADeeperCgroupRootTooButTheKubeletsFirst() throws IOException {
    Path nested = cgroup("lambda-cntr-testbed/node-1/kubepods/besteffort/pod" + UID + "/" + ID);
    assertThat(find(Optional.of(UID))).contains(nested);
    Path kubelets = cgroup("kubepods.slice/kubepods-pod" + UID_ + ".slice/crio-" + ID + ".scope");
    assertThat(find(Optional.of(UID))).contains(kubelets);
  }

  /**
   * The pod cgroups of the test bed's Docker and CRI-O nodes as {@code ls} showed them (cgroupfs
   * driver, cgroup v1, the kubelet's cgroup root {@code /lambda-cntr-testbed/NODE}): beside the
   * container, the sandbox's pause container, and for CRI-O the cgroups of conmon, one per
   * container it ever started, also of attempts that failed.
   */
  @Test
  void findsTheContainerAmongWhatTheTestBedsDockerAndCriONodesLeaveInAPod() throws IOException {
    String dockerPod =
        "lambda-cntr-testbed/testbed-node-docker/kubepods/besteffort/"
            + "pod59d3d945-ca45-4f97-b979-333cb3a39080/";
    String dockerId = "3b849bf4bc358ff03b445d3715b388b0b9981f302e58bfd8e23a33e09f1479b4";
    Path docker = cgroup(dockerPod + dockerId);
    cgroup(dockerPod + "14835f463f129434f51887032aabd808cb97ed3005f7eb3f2752e4c6709c1775");
    String crioPod =
        "lambda-cntr-testbed/testbed-node-crio/kubepods/besteffort/"
            + "pod234b5e6c-70c3-4975-b384-b6811b6087b9/";
    String crioId = "a8049b140449255872c94c929ef5e5ff0a88465b7953e66ecba66c27aa070f90";
    Path crio = cgroup(crioPod + "crio-" + crioId);
    cgroup(crioPod + "crio-b73d88a30d836a948418c73ee76bb454ef49bd3665f763196376c2e0ffffceba");
    cgroup(crioPod + "crio-conmon-" + crioId);
    cgroup(
        crioPod + "crio-conmon-43bdd8e0730b0aca7aacc1f6caf0d96aca0463faea7ca3bdabab7384c175b68d");

    assertThat(
            CgroupTree.containerDirectory(
                root, dockerId, Optional.of("59d3d945-ca45-4f97-b979-333cb3a39080")))
        .contains(docker);
    assertThat(
            CgroupTree.containerDirectory(
                root, crioId, Optional.of("234b5e6c-70c3-4975-b384-b6811b6087b9")))
        .contains(crio);
    CgroupTree tree = new CgroupTree(() -> List.of(root), Optional.empty());
    assertThat(tree.fullId(crioId.substring(0, 12))).isEqualTo(crioId); // not its conmon's
    assertThat(tree.fullId(dockerId.substring(0, 12))).isEqualTo(dockerId);
  }

  @Test
  void findsAStandaloneContainerWithoutAPodUid() throws IOException {
    for (String path : HOST_CONTAINERS) {
      Path dir = cgroup(path);
      cgroup("system.slice/sshd.service");
      assertThat(find(Optional.empty())).as(path).contains(dir);
      assertThat(find(Optional.of(UID))).as(path).isEmpty();
      deleteBelow(root);
    }
  }

  @Test
  void aShortIdNamesTheOneContainerWhoseIdStartsWithItOnAPlainHost() throws IOException {
    cgroup("docker/" + ID);
    cgroup("system.slice/crio-conmon-" + ID.replace('a', 'b') + ".scope");
    CgroupTree tree = new CgroupTree(() -> List.of(root), Optional.empty());

    assertThat(tree.fullId(ID.substring(0, 12))).isEqualTo(ID);
    assertThat(tree.fullId(ID)).isEqualTo(ID);
    assertThat(tree.fullId("0123456789ab")).isEqualTo("0123456789ab"); // none: the search says so

    // a second container whose ID starts the same: refused, naming both
    String twin = ID.substring(0, 12) + "f".repeat(52);
    cgroup("system.slice/docker-" + twin + ".scope");
    assertThatThrownBy(() -> tree.fullId(ID.substring(0, 12)))
        .isInstanceOf(CntrException.class)
        .hasMessageContaining("is ambiguous")
        .hasMessageContaining(ID)
        .hasMessageContaining(twin);
    assertThat(tree.fullId(ID.substring(0, 13))).isEqualTo(ID);

    // too short, or with a pod UID (the CLI's sessions), an ID is taken whole
    assertThat(tree.fullId(ID.substring(0, 11))).isEqualTo(ID.substring(0, 11));
    assertThat(new CgroupTree(() -> List.of(root), Optional.of(UID)).fullId(ID.substring(0, 13)))
        .isEqualTo(ID.substring(0, 13));
  }

  @Test
  void neverEntersAnotherPod() throws IOException {
    // a process of another pod names a cgroup of its own after the container and the pod
    cgroup("kubepods/besteffort/pod" + OTHER_UID + "/" + ID);
    cgroup("kubepods/besteffort/pod" + OTHER_UID + "/c0ffee/pod" + UID + "/" + ID);
    cgroup(
        "kubepods.slice/kubepods-pod"
            + OTHER_UID_
            + ".slice/crio-c0ffee.scope/kubepods-pod"
            + UID_
            + ".slice/crio-"
            + ID
            + ".scope");
    assertThat(find(Optional.of(UID))).isEmpty();
  }

  @Test
  void takesOnlyADirectChildOfThePodAndOnlyOutsideAPodWithoutAUid() throws IOException {
    cgroup("kubepods/pod" + UID + "/c0ffee/" + ID);
    assertThat(find(Optional.of(UID))).isEmpty();
    Path real = cgroup("kubepods/pod" + UID + "/" + ID);
    assertThat(find(Optional.of(UID))).contains(real);
    assertThat(find(Optional.empty())).contains(real); // the shallowest
  }

  @Test
  void aNameThatMerelyContainsTheIdIsNotTheContainer() {
    assertThat(CgroupTree.namesContainer(ID, ID)).isTrue();
    assertThat(CgroupTree.namesContainer("cri-containerd-" + ID + ".scope", ID)).isTrue();
    assertThat(CgroupTree.namesContainer("crio-" + ID, ID)).isTrue();
    assertThat(CgroupTree.namesContainer(ID + "ff", ID)).isFalse();
    assertThat(CgroupTree.namesContainer("aa" + ID, ID)).isFalse();
    assertThat(CgroupTree.namesContainer("crio-conmon-" + ID + ".scope", ID)).isFalse();
    assertThat(CgroupTree.namesContainer("libpod-conmon-" + ID + ".scope", ID)).isFalse();
    assertThat(CgroupTree.namesContainer("docker-" + ID + ".scope.old", ID)).isFalse();
    assertThat(CgroupTree.namesPod("pod" + UID, UID)).isTrue();
    assertThat(CgroupTree.namesPod("kubepods-burstable-pod" + UID_ + ".slice", UID)).isTrue();
    assertThat(CgroupTree.namesPod("pod" + UID + "x", UID)).isFalse();
    assertThat(CgroupTree.namesPod("kubepods-pod" + OTHER_UID_ + ".slice", UID)).isFalse();
  }

  @Test
  void controlFilesAreToldFromCgroupsByName() {
    for (String file :
        List.of(
            "cgroup.procs", "memory.max", "cpu.pressure", "io.stat", "tasks", "release_agent")) {
      assertThat(CgroupTree.isControlFile(file)).as(file).isTrue();
    }
    for (String dir : List.of("kubepods.slice", "system.slice", ID, "docker-" + ID + ".scope")) {
      assertThat(CgroupTree.isControlFile(dir)).as(dir).isFalse();
    }
  }

  @Test
  void searchesV2ThenTheV1HierarchiesRuntimesJoin() {
    String mountinfo =
        """
        30 24 0:26 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:4 - tmpfs tmpfs ro,mode=755
        33 30 0:29 / /sys/fs/cgroup/memory rw,nosuid shared:8 - cgroup cgroup rw,memory
        31 30 0:27 / /sys/fs/cgroup/unified rw,nosuid shared:5 - cgroup2 cgroup2 rw
        32 30 0:28 / /sys/fs/cgroup/systemd rw,nosuid shared:6 - cgroup cgroup rw,xattr,name=systemd
        34 30 0:30 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:9 - cgroup cgroup rw,cpu,cpuacct
        """;
    assertThat(CgroupTree.hierarchyRoots("/proc/1/root", mountinfo))
        .containsExactly(
            Path.of("/proc/1/root/sys/fs/cgroup/unified"),
            Path.of("/proc/1/root/sys/fs/cgroup/systemd"),
            Path.of("/proc/1/root/sys/fs/cgroup/memory"),
            Path.of("/proc/1/root/sys/fs/cgroup/cpu,cpuacct"));
  }

  @Test
  void theInitIsTheMemberWhoseParentIsOutsideTheContainer() throws IOException {
    // this JVM stands for the container's init: its parent is in no cgroup of the tree
    long self = ProcessHandle.current().pid();
    cgroup("kubepods/pod" + UID + "/" + ID, self);
    CgroupTree tree = new CgroupTree(() -> List.of(root), Optional.of(UID));
    assertThat(tree.find(ID).pid()).hasValue((int) self);
    CgroupTree.Lookup missed = tree.find("0123456789ab");
    assertThat(missed.pid()).isEmpty();
    assertThat(missed.detail()).contains("below pod " + UID).contains(root.toString());
  }

  private static void deleteBelow(Path dir) throws IOException {
    try (var entries = Files.list(dir)) {
      for (Path entry : entries.toList()) {
        if (Files.isDirectory(entry)) {
          deleteBelow(entry);
        }
        Files.delete(entry);
      }
    }
  }
}
