package dev.lambdacntr.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lambdacntr.protocol.ExitCode;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Post-mortem sessions against a real crash loop: a container that writes a marker into its root
 * and its volume, says its last words and exits 3, again and again. A session with {@code
 * --post-mortem} sees that run's root (read-only), its volume, its exit code and log, with its
 * environment and user, and the core dump a process of it left (the kernel's file {@code
 * core_pattern}); {@code cp} takes a file out of it; afterwards no hold of its files and no mount
 * of them is left on the node, and the kubelet restarted the pod as it would have anyway. In both
 * passes: through the agent's exec, and through the gateway and the node agent.
 */
class PostMortemIT {
  private static final String CRASHING = "pm-crashing";
  private static final String RUNNING = "pm-running";

  static TestCluster cluster;
  static E2eNamespace namespace;
  static LambdaCntr lambdaCntr;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    cluster = TestCluster.get();
    namespace = cluster.namespace("post-mortem");
    lambdaCntr =
        new LambdaCntr(cluster.settings(), namespace.name(), namespace.agentNamespace("pm"));
    String node = cluster.firstNode();
    String busybox = cluster.settings().busyboxImage();
    Pod crashing =
        new PodBuilder(E2eNamespace.target(CRASHING, node, busybox))
            .editSpec()
            .withNewSecurityContext()
            .withRunAsUser(1000L)
            .withRunAsGroup(1000L)
            .withFsGroup(1000L)
            .endSecurityContext()
            .editFirstContainer()
            .withCommand(
                "sh",
                "-c",
                "echo dead-marker > /tmp/marker && echo volume-content > /data/v"
                    + " && echo starting; ulimit -c unlimited;"
                    + " sh -c 'cd /tmp && sh -c \"kill -SEGV \\$\\$\"' 2>/dev/null;"
                    + " echo last words; exit 3")
            .addNewEnv()
            .withName("APP_MODE")
            .withValue("crashing")
            .endEnv()
            .addNewVolumeMount()
            .withName("data")
            .withMountPath("/data")
            .endVolumeMount()
            .endContainer()
            .addNewVolume()
            .withName("data")
            .withNewEmptyDir()
            .endEmptyDir()
            .endVolume()
            .endSpec()
            .build();
    cluster.client().pods().inNamespace(namespace.name()).resource(crashing).create();
    cluster.runReady(namespace.name(), E2eNamespace.target(RUNNING, node, busybox));
    TestCluster.eventually(
        Duration.ofSeconds(90),
        "a first run of " + CRASHING + " that exited 3",
        () -> lastExit().filter(code -> code == 3).isPresent(),
        () -> String.valueOf(status()));
  }

  @AfterAll
  static void cleanUp() {
    if (namespace != null) {
      namespace.close();
    }
  }

  private static Pod crashing() {
    return cluster.client().pods().inNamespace(namespace.name()).withName(CRASHING).get();
  }

  private static Optional<ContainerStatus> status() {
    Pod pod = crashing();
    return pod == null || pod.getStatus() == null
        ? Optional.empty()
        : pod.getStatus().getContainerStatuses().stream().findFirst();
  }

  private static Optional<Integer> lastExit() {
    return status()
        .flatMap(
            s ->
                Optional.ofNullable(s.getLastState())
                    .map(l -> l.getTerminated())
                    .map(t -> t.getExitCode()));
  }

  private static int restarts() {
    return status().map(ContainerStatus::getRestartCount).orElse(0);
  }

  @Test
  void aSessionSeesWhatTheLastRunLeft() {
    int restartsBefore = restarts();
    LambdaCntr.Result r =
        lambdaCntr.execute(
            List.of("--post-mortem"),
            List.of(CRASHING),
            "sh",
            "-c",
            "cd /var/lib/cntr && cat tmp/marker data/v .lambda-cntr/exit-code .lambda-cntr/reason"
                + " && tail -n 1 .lambda-cntr/previous.log && id -u && echo $APP_MODE"
                + " && if echo x > tmp/new 2>/dev/null; then echo writable; else echo read-only;"
                + " fi && grep -c . .lambda-cntr/previous.log");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.stdout())
        .as(r.toString())
        .isEqualTo(
            "dead-marker\nvolume-content\n3\nError\nlast words\n1000\ncrashing\nread-only\n2\n");
    assertThat(r.stderr()).as(r.toString()).contains("post-mortem of container main");
    assertThat(r.stderr()).as("the client's libraries stay quiet").doesNotContain("WARNING");

    assertNothingLeftOnTheNode();
    // the kubelet restarts the pod on its own schedule; the session never did
    assertThat(restarts()).isGreaterThanOrEqualTo(restartsBefore);
    assertThat(crashing().getStatus().getPhase()).isEqualTo("Running");
  }

  @Test
  void theCoreDumpOfTheRunIsThereForGdb() {
    LambdaCntr.Result r =
        lambdaCntr.execute(
            List.of("--post-mortem"),
            List.of(CRASHING),
            "sh",
            "-c",
            "cd /var/lib/cntr/.lambda-cntr && cat core-pattern && echo ---"
                + " && cat cores && echo --- && if [ -f core ]; then gdb -batch -c core 2>&1"
                + " | grep -E '^(Core was generated|Program terminated)'; fi");
    assertThat(r.exit()).as(r.toString()).isZero();
    String[] parts = r.stdout().split("---\n", -1);
    assertThat(parts).as(r.toString()).hasSize(3);
    if (parts[0].startsWith("|")) {
      // the node pipes cores to a program, which files them by host PID and time, not by pod
      assertThat(parts[1]).as(r.toString()).isEmpty();
      assertThat(parts[2]).as(r.toString()).isEmpty();
    } else {
      assertThat(parts[1]).as(r.toString()).startsWith("/tmp/core");
      assertThat(parts[2])
          .as(r.toString())
          // busybox re-runs itself as /proc/self/exe; gdb quotes the arguments' spaces
          .contains("Core was generated by `")
          .contains(" -c kill\\ -SEGV")
          .contains("Program terminated with signal SIGSEGV");
      assertThat(r.stderr()).as(r.toString()).contains("core: its core dump (/tmp/core");
    }
    assertNothingLeftOnTheNode();
  }

  @Test
  void aCntrfsSessionSeesTheSameRun() {
    LambdaCntr.Result r =
        lambdaCntr.execute(
            List.of("--post-mortem", "--fs", "fuse"),
            List.of(CRASHING),
            "sh",
            "-c",
            "cat /var/lib/cntr/tmp/marker /var/lib/cntr/.lambda-cntr/exit-code"
                + " && test -x /usr/bin/gdb && id -u");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.stdout()).as(r.toString()).isEqualTo("dead-marker\n3\n1000\n");
    assertNothingLeftOnTheNode();
  }

  /**
   * The pod's status trails the runtime: the run a client read there may be gone, removed by the
   * kubelet after a newer run ended. Given the container's name, the agent then takes the newest
   * ended run of that name in the pod, and says so; without it, it refuses with 121. The agent in
   * the node's serving pod is asked directly, with an ID the runtime never had standing in for the
   * removed run.
   */
  @Test
  void aRunRemovedSinceTheStatusWasReadGivesWayToTheNewestEndedRun() {
    Pod agent = cluster.servingAgent(lambdaCntr, cluster.firstNode());
    String uid = crashing().getMetadata().getUid();
    String gone = "0123456789abcdef".repeat(4);
    String attach = "lambda-cntr-agent attach --post-mortem --pod-uid " + uid;
    String out =
        cluster.exec(
            agent,
            "sh",
            "-c",
            attach
                + " --container-name main "
                + gone
                + " -- cat /var/lib/cntr/tmp/marker </dev/null 2>&1; echo exit=$?; "
                + attach
                + " "
                + gone
                + " -- true </dev/null 2>&1; echo exit=$?");
    assertThat(out)
        .as(out)
        .contains(
            "run "
                + gone
                + " of container main is gone from the runtime: a newer run has ended since")
        .contains("post-mortem of container main")
        .contains("dead-marker\nexit=0\n")
        .contains(
            "container "
                + gone
                + " is gone from the runtime: the kubelet removes a dead container when a newer"
                + " one of the same name has ended")
        .endsWith("exit=" + ExitCode.AGENT_TARGET_NOT_FOUND.code() + "\n");
    assertNothingLeftOnTheNode();
  }

  @Test
  void cpTakesAFileOutOfTheLastRun() throws IOException {
    Path local = dir.resolve("marker");
    LambdaCntr.Result r =
        lambdaCntr.run(
            "cp",
            "-n",
            namespace.name(),
            "--agent-namespace",
            lambdaCntr.agentNamespace(),
            "--post-mortem",
            CRASHING + ":/tmp/marker",
            local.toString());
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(Files.readString(local)).isEqualTo("dead-marker\n");
    assertNothingLeftOnTheNode();
  }

  @Test
  void aContainerThatNeverEndedHasNoLastRun() {
    LambdaCntr.Result r = lambdaCntr.execute(List.of("--post-mortem"), List.of(RUNNING), "true");
    assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCode.CONTAINER_NOT_RUNNING.code());
    assertThat(r.stderr())
        .contains(
            "container main of pod "
                + namespace.name()
                + "/"
                + RUNNING
                + " has no ended run to look at");
  }

  @Test
  void debugRefusesIt() {
    LambdaCntr.Result debug =
        lambdaCntr.run("debug", "-n", namespace.name(), "--post-mortem", "--gdbserver", CRASHING);
    assertThat(debug.exit()).as(debug.toString()).isEqualTo(ExitCode.USAGE.code());
    assertThat(debug.stderr()).contains("debug needs a running process");
  }

  /** No hold of the container's files, and no mount of them in the node's mount namespace. */
  private void assertNothingLeftOnTheNode() {
    Pod agent = cluster.servingAgent(lambdaCntr, cluster.firstNode());
    String holds =
        cluster.exec(
            agent,
            "sh",
            "-c",
            "ls -A /proc/1/root/var/lib/lambda-cntr/post-mortem 2>/dev/null; grep -c post-mortem"
                + " /proc/1/mountinfo || true");
    assertThat(holds).as("holds and mounts left on the node").isEqualTo("0\n");
  }
}
