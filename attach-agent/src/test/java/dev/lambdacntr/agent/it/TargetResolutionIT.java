package dev.lambdacntr.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Container ID to PID through each source (containerd's API, CRI, the cgroup scan), the fallback
 * when the socket is missing, and the agent's failures: exit codes 120-127 with messages that name
 * what failed, and never a shell.
 */
@ExtendWith(TestBedExtension.class)
class TargetResolutionIT {
  private static final Map<String, String> TRACE = Map.of("LAMBDA_CNTR_TRACE", "1");
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
  void withoutASocketTheCgroupScanFindsTheContainer() {
    Commands.Result result = attach("app", "--", "cat", "/proc/1/cmdline");
    assertThat(result.exit()).as(result.err()).isZero();
    assertThat(result.out()).startsWith("/bin/sleep");
    assertThat(result.err()).contains("pid " + bed.app + " via cgroup scan of /proc");
  }

  @Test
  void containerdsApiFindsTheContainerInItsNamespace() {
    Commands.Result result =
        attach(
            "--runtime",
            "containerd",
            "--socket-path",
            ContainerdHarness.socket().toString(),
            "static",
            "--",
            "true");
    assertThat(result.exit()).as(result.err()).isZero();
    assertThat(result.err())
        .contains(
            "pid " + bed.staticTarget + " via containerd API on " + ContainerdHarness.socket());
  }

  @Test
  void aMissingSocketFallsBackToTheCgroupScan() {
    Commands.Result result =
        attach(
            "--runtime",
            "containerd",
            "--socket-path",
            "/run/no-such-dir/containerd.sock",
            "app",
            "--",
            "true");
    assertThat(result.exit()).as(result.err()).isZero();
    assertThat(result.err()).contains("via cgroup scan");
  }

  @Test
  void criFindsAPodsContainer() throws Exception {
    Path work = ContainerdHarness.STATE.resolve("images");
    bed.containerd.importImage(
        TargetImages.staticBinary(work),
        ContainerdHarness.CRI_NAMESPACE,
        "ghcr.io/lambda-cntr/agent-it-pause");
    bed.containerd.importImage(
        work.resolve("busybox.oci.tar"), ContainerdHarness.CRI_NAMESPACE, TargetImages.BUSYBOX);
    assertThat(Files.exists(work.resolve("busybox.oci.tar"))).isTrue();
    try (CriPods pods = new CriPods(ContainerdHarness.socket())) {
      String id = pods.start("agent-it-pod", TargetImages.BUSYBOX + ":" + TargetImages.TAG);
      Commands.Result viaCri =
          attach(
              "--runtime",
              "cri-o",
              "--socket-path",
              ContainerdHarness.socket().toString(),
              id,
              "--",
              "sh",
              "-c",
              "echo $" + TargetImages.TARGET_ONLY_VARIABLE);
      assertThat(viaCri.exit()).as(viaCri.err()).isZero();
      assertThat(viaCri.out()).isEqualTo("from-the-target\n");
      assertThat(viaCri.err()).contains("via CRI on " + ContainerdHarness.socket());
      Commands.Result viaContainerd =
          attach(
              "--runtime",
              "containerd",
              "--socket-path",
              ContainerdHarness.socket().toString(),
              id,
              "--",
              "true");
      assertThat(viaContainerd.err()).contains("via containerd API");
    }
  }

  @Test
  void anUnknownContainerListsWhatWasTried() {
    Commands.Result result =
        attach(
            "--runtime",
            "containerd",
            "--socket-path",
            ContainerdHarness.socket().toString(),
            "no-such-container");
    assertThat(result.exit()).isEqualTo(121);
    assertThat(result.err())
        .contains(
            "lambda-cntr: cannot find a running process of container no-such-container; tried")
        .contains("containerd API on " + ContainerdHarness.socket())
        .contains("CRI on")
        .contains("cgroup scan of /proc");
    assertThat(result.out()).isEmpty();
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

    Commands.Result runtime = attach("--runtime", "rkt", "app");
    assertThat(runtime.exit()).isEqualTo(120);
    assertThat(runtime.err()).contains("unknown --runtime 'rkt'");

    for (Commands.Result failed : List.of(usage, gone, noTools, runtime)) {
      assertThat(failed.out()).isEmpty();
    }
  }
}
