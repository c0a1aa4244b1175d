package dev.lambdacntr.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Container ID to PID through the cgroup tree, for a bare container ID and for containers laid out
 * as a kubelet lays out a pod's (cgroupfs and systemd names), the deprecated runtime options, and
 * the agent's failures: exit codes 120-127 with messages that name what failed, and never a shell.
 */
@ExtendWith(TestBedExtension.class)
class TargetResolutionIT {
  private static final Map<String, String> TRACE = Map.of("LAMBDA_CNTR_TRACE", "1");
  private static final String POD_UID = "7c0d9e8f-1a2b-4c3d-8e4f-5a6b7c8d9e0f";
  private static final String OTHER_POD_UID = "1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9";

  /** Below every cgroup hierarchy's root; removed by the tests that create it. */
  private static final String PODS = "lambda-cntr-agent-it-pods";

  static TestBed bed;

  @BeforeAll
  static void testBed(TestBed testBed) {
    bed = testBed;
  }

  private static Commands.Result attach(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    return Agent.attach(all, "", TRACE);
  }

  @Test
  void aBareContainerIdIsFoundInTheCgroupTree() {
    Commands.Result result = attach("app", "--", "cat", "/proc/1/cmdline");
    assertThat(result.exit()).as(result.err()).isZero();
    assertThat(result.out()).startsWith("/bin/sleep");
    assertThat(result.err()).contains("pid " + bed.app + " via the cgroup tree");
  }

  @Test
  void aPodsContainerIsFoundBelowItsPodWithEitherCgroupDriver() throws IOException {
    String cgroupfs = "a1".repeat(32);
    String systemd = "b2".repeat(32);
    String uid_ = POD_UID.replace('-', '_');
    Map<String, String> cgroups =
        Map.of(
            cgroupfs,
            "/" + PODS + "/kubepods/besteffort/pod" + POD_UID + "/" + cgroupfs,
            systemd,
            "/"
                + PODS
                + "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"
                + uid_
                + ".slice/cri-containerd-"
                + systemd
                + ".scope");
    try {
      for (Map.Entry<String, String> container : cgroups.entrySet()) {
        String id = container.getKey();
        int pid =
            bed.containerd.run(
                id,
                TargetImages.BUSYBOX + ":" + TargetImages.TAG,
                List.of("--cgroup", container.getValue()));
        Commands.Result found = attach("--pod-uid", POD_UID, id, "--", "true");
        assertThat(found.exit()).as(found.err()).isZero();
        assertThat(found.err()).contains("pid " + pid + " via the cgroup tree");

        Commands.Result otherPod = attach("--pod-uid", OTHER_POD_UID, id, "--", "true");
        assertThat(otherPod.exit()).as(otherPod.err()).isEqualTo(121);
        assertThat(otherPod.err())
            .contains("cannot find a running process of container " + id)
            .contains("below pod " + OTHER_POD_UID);
      }
    } finally {
      cgroups.keySet().forEach(bed.containerd::remove);
      removeParents(cgroups.values());
    }
  }

  @Test
  void theRuntimeOptionsAreIgnoredWithAWarning() {
    Commands.Result result =
        attach(
            "--runtime",
            "containerd",
            "--socket-path",
            "/run/no-such-dir/containerd.sock",
            "static",
            "--",
            "true");
    assertThat(result.exit()).as(result.err()).isZero();
    assertThat(result.err())
        .contains(
            "--socket-path /run/no-such-dir/containerd.sock ignored: the agent finds the target by"
                + " its cgroup")
        .contains("--runtime containerd ignored")
        .contains("pid " + bed.staticTarget + " via the cgroup tree");
  }

  @Test
  void anUnknownContainerSaysWhereItWasLookedFor() {
    Commands.Result result = attach("no-such-container");
    assertThat(result.exit()).isEqualTo(121);
    assertThat(result.err())
        .contains(
            "lambda-cntr: cannot find a running process of container no-such-container: no cgroup"
                + " named after container no-such-container in [");
    assertThat(result.out()).isEmpty();
  }

  /** Removes the containers' parent cgroups below {@value #PODS} (runc removed their own). */
  private static void removeParents(Collection<String> cgroups) throws IOException {
    List<Path> roots = new ArrayList<>();
    Path fs = Path.of("/sys/fs/cgroup");
    roots.add(fs);
    try (DirectoryStream<Path> hierarchies = Files.newDirectoryStream(fs)) {
      hierarchies.forEach(roots::add);
    }
    Set<Path> parents = new HashSet<>();
    for (Path root : roots) {
      for (String cgroup : cgroups) {
        for (Path dir = root.resolve(cgroup.substring(1)).getParent();
            dir != null && dir.startsWith(root.resolve(PODS));
            dir = dir.getParent()) {
          parents.add(dir);
        }
      }
    }
    List<Path> deepestFirst = new ArrayList<>(parents);
    deepestFirst.sort(Comparator.comparingInt(Path::getNameCount).reversed());
    for (Path dir : deepestFirst) {
      try {
        Files.deleteIfExists(dir); // rmdir: fails while a cgroup is not empty
      } catch (IOException e) {
        System.err.println("cannot remove the cgroup " + dir + ": " + e);
      }
    }
  }

  @Test
  void failuresEndWithTheAgentsCodesAndNoShell() {
    Commands.Result usage = attach("--pid");
    assertThat(usage.exit()).isEqualTo(120);
    assertThat(usage.err()).contains("option --pid needs a value");

    Commands.Result gone = attach("--pid", "999999999", "--", "true");
    assertThat(gone.exit()).isEqualTo(121);
    assertThat(gone.err()).contains("cannot find the process of pid 999999999: ESRCH");

    Commands.Result noTools =
        attach("--pid", Integer.toString(bed.app), "--tools-root", "/no/such/tools", "--", "true");
    assertThat(noTools.exit()).isEqualTo(124);
    assertThat(noTools.err()).contains("/no/such/tools");

    for (Commands.Result failed : List.of(usage, gone, noTools)) {
      assertThat(failed.out()).isEmpty();
    }
  }
}
