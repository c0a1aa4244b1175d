package dev.lambdacntr.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code lambda-cntr execute -l SELECTOR}: one command in many pods on both nodes at once, each
 * output line prefixed with its pod, a non-zero status naming the pods that failed while the
 * others' results still come, a per-pod timeout, bounded parallelism and {@code --all-containers}.
 */
class SelectorExecuteIT {

  static TestCluster cluster;
  static E2eNamespace namespace;
  static LambdaCntr lambdaCntr;

  @BeforeAll
  static void start() {
    cluster = TestCluster.get();
    namespace = cluster.namespace("fanout");
    String agents = namespace.agentNamespace("fanout");
    lambdaCntr = new LambdaCntr(cluster.settings(), namespace.name(), agents);
    String image = cluster.settings().busyboxImage();
    List<String> nodes = List.of(cluster.firstNode(), cluster.secondNode(), cluster.firstNode());
    for (int i = 0; i < 3; i++) {
      Pod pod =
          new PodBuilder(E2eNamespace.target("fan-" + (char) ('a' + i), nodes.get(i), image))
              .editMetadata()
              .addToLabels("group", "fan")
              .endMetadata()
              .build();
      cluster.runReady(namespace.name(), pod);
    }
    Pod two =
        new PodBuilder(E2eNamespace.target("duo", cluster.secondNode(), image))
            .editMetadata()
            .addToLabels("group", "duo")
            .endMetadata()
            .editSpec()
            .addNewContainer()
            .withName("side")
            .withImage(image)
            .withImagePullPolicy("IfNotPresent")
            .endContainer()
            .endSpec()
            .build();
    cluster.runReady(namespace.name(), two);
  }

  @AfterAll
  static void cleanUp() {
    if (namespace != null) {
      namespace.close();
    }
  }

  private static LambdaCntr.Result selector(List<String> options, String... command) {
    List<String> all = new ArrayList<>(options);
    return lambdaCntr.execute(all, List.of(), command);
  }

  @Test
  void runsInEveryMatchingPodOnBothNodesPrefixingEachLine() {
    LambdaCntr.Result r =
        selector(List.of("-l", "group=fan"), "sh", "-c", "echo one $(hostname); echo two");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(Arrays.asList(r.stdout().split("\n")))
        .as(r.toString())
        .containsExactlyInAnyOrder(
            "fan-a: one fan-a", "fan-a: two",
            "fan-b: one fan-b", "fan-b: two",
            "fan-c: one fan-c", "fan-c: two");
    if (cluster.settings().serverMode()) {
      // the node agent of each node served them (install's DaemonSet: one per node, ready)
      cluster.servingAgent(lambdaCntr, cluster.firstNode());
      cluster.servingAgent(lambdaCntr, cluster.secondNode());
      return;
    }
    // one agent on each node served them
    List<String> agentNodes =
        cluster.client().pods().inNamespace(lambdaCntr.agentNamespace()).list().getItems().stream()
            .map(p -> p.getSpec().getNodeName())
            .distinct()
            .sorted()
            .toList();
    assertThat(agentNodes).containsExactlyInAnyOrder(cluster.firstNode(), cluster.secondNode());
  }

  @Test
  void failedPodsAreListedAndTheOthersResultsStillCome() {
    LambdaCntr.Result r =
        selector(
            List.of("-l", "group=fan"),
            "sh",
            "-c",
            "echo ran; if [ \"$(hostname)\" = fan-b ]; then exit 3; fi");
    assertThat(r.exit()).as(r.toString()).isEqualTo(3);
    assertThat(r.stdout()).contains("fan-a: ran", "fan-b: ran", "fan-c: ran");
    assertThat(r.stderr()).as(r.toString()).contains("lambda-cntr: 1 of 3 failed: fan-b (exit 3)");
  }

  @Test
  void aPodOverItsTimeoutIsEndedAndCountedAsFailed() {
    long start = System.nanoTime();
    LambdaCntr.Result r =
        selector(
            List.of("-l", "group=fan", "--pod-timeout", "8s"),
            "sh",
            "-c",
            "if [ \"$(hostname)\" = fan-c ]; then sleep 120; fi; echo done");
    double seconds = (System.nanoTime() - start) / 1e9;
    assertThat(r.exit()).as(r.toString()).isEqualTo(75);
    assertThat(r.stdout()).contains("fan-a: done", "fan-b: done").doesNotContain("fan-c: done");
    assertThat(r.stderr()).as(r.toString()).contains("1 of 3 failed: fan-c (timed out after 8s)");
    assertThat(seconds).as("ended by the timeout, not by the sleep").isLessThan(60);
    // the timed-out command is gone from the target
    TestCluster.eventually(
        Duration.ofSeconds(30),
        "the timed-out session's processes ended",
        () -> !cluster.exec(namespace.name(), "fan-c", "main", "ps").contains("sleep 120"),
        () -> cluster.exec(namespace.name(), "fan-c", "main", "ps"));
  }

  @Test
  void parallelismIsBounded() {
    String stamp = "date +%s.%N; sleep 2; date +%s.%N";
    LambdaCntr.Result serial =
        selector(List.of("-l", "group=fan", "--max-parallel", "1"), "sh", "-c", stamp);
    assertThat(serial.exit()).as(serial.toString()).isZero();
    assertThat(maxOverlap(serial.stdout())).as(serial.toString()).isEqualTo(1);
    LambdaCntr.Result parallel = selector(List.of("-l", "group=fan"), "sh", "-c", stamp);
    assertThat(parallel.exit()).as(parallel.toString()).isZero();
    assertThat(maxOverlap(parallel.stdout())).as(parallel.toString()).isEqualTo(3);
  }

  /** The most commands running at one time, from each pod's start and end stamps. */
  private static int maxOverlap(String stdout) {
    java.util.Map<String, List<Double>> stamps = new java.util.TreeMap<>();
    for (String line : stdout.split("\n")) {
      String[] parts = line.split(": ", 2);
      stamps.computeIfAbsent(parts[0], k -> new ArrayList<>()).add(Double.parseDouble(parts[1]));
    }
    List<double[]> spans =
        stamps.values().stream().map(v -> new double[] {v.get(0), v.get(1)}).toList();
    int most = 0;
    for (double[] s : spans) {
      int at = 0;
      for (double[] o : spans) {
        if (o[0] <= s[0] && s[0] < o[1]) {
          at++;
        }
      }
      most = Math.max(most, at);
    }
    return most;
  }

  @Test
  void allContainersRunsInEachContainerOfEachPod() {
    LambdaCntr.Result r =
        selector(List.of("-l", "group=duo", "--all-containers"), "cat", "/proc/1/cgroup");
    assertThat(r.exit()).as(r.toString()).isZero();
    List<String> prefixes =
        Arrays.stream(r.stdout().split("\n")).map(l -> l.split(": ", 2)[0]).distinct().toList();
    assertThat(prefixes).containsExactlyInAnyOrder("duo/main", "duo/side");
  }

  @Test
  void aPodThatIsNotRunningIsAFailureOfItsOwn() {
    Pod pending =
        new PodBuilder(
                E2eNamespace.target(
                    "fan-pending", cluster.firstNode(), "ghcr.io/lambda-cntr/absent:0"))
            .editMetadata()
            .addToLabels("group", "partial")
            .endMetadata()
            .build();
    cluster.client().pods().inNamespace(namespace.name()).resource(pending).create();
    Pod ok =
        new PodBuilder(
                E2eNamespace.target(
                    "fan-ok", cluster.secondNode(), cluster.settings().busyboxImage()))
            .editMetadata()
            .addToLabels("group", "partial")
            .endMetadata()
            .build();
    cluster.runReady(namespace.name(), ok);
    LambdaCntr.Result r = selector(List.of("-l", "group=partial"), "echo", "fine");
    assertThat(r.stdout()).as(r.toString()).isEqualTo("fan-ok: fine\n");
    assertThat(r.exit()).as(r.toString()).isIn(71, 72);
    assertThat(r.stderr()).as(r.toString()).contains("1 of 2 failed: fan-pending (");
  }

  @Test
  void noMatchingPodIsNamed() {
    LambdaCntr.Result r = selector(List.of("-l", "group=nobody"), "true");
    assertThat(r.exit()).isEqualTo(68);
    assertThat(r.stderr())
        .contains(
            "no pod in namespace " + namespace.name() + " matches the selector 'group=nobody'");
  }
}
