package dev.lambdacntr.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The session boundary on the test bed: root busybox pods (the runtime's default capabilities) that
 * attack an open session from inside, through the API's exec (what the target's own processes can
 * do), with a poisoned environment, a directory at {@code /etc/passwd}, and a pod under the
 * RuntimeDefault seccomp profile. The agent-level suite (attach-agent's HostileTargetIT) covers
 * every point against containerd and runc directly; this one proves the same in pods, where the
 * kubelet, the CRI and its cgroup and bundle layout are real; and the hostile image, whose own main
 * process attacks the session. See docs/security.md.
 */
@Tag("runtime-core") // also on each node of another runtime (scripts/e2e)
class HostilePodIT {
  static TestCluster cluster;
  static E2eNamespace namespace;
  static LambdaCntr lambdaCntr;

  static final List<String> POISON =
      List.of(
          "LD_PRELOAD=/tmp/lambda-cntr-e2e-evil.so",
          "PROMPT_COMMAND=echo hijacked-by-the-target",
          "BASH_ENV=/var/lib/cntr/tmp/rc");

  @BeforeAll
  static void start() {
    cluster = TestCluster.get();
    namespace = cluster.namespace("hostile");
    lambdaCntr =
        new LambdaCntr(cluster.settings(), namespace.name(), namespace.agentNamespace("hostile"));
  }

  @AfterAll
  static void cleanUp() {
    if (namespace != null) {
      namespace.close();
    }
  }

  private static Pod rootPod(String name, boolean runtimeDefaultSeccomp) {
    Pod pod = E2eNamespace.target(name, cluster.firstNode(), cluster.settings().busyboxImage());
    PodBuilder b = new PodBuilder(pod);
    b.editSpec()
        .editFirstContainer()
        .withEnv(
            POISON.stream()
                .map(
                    e ->
                        new EnvVar(
                            e.substring(0, e.indexOf('=')), e.substring(e.indexOf('=') + 1), null))
                .toList())
        .endContainer()
        .endSpec();
    if (runtimeDefaultSeccomp) {
      b.editSpec()
          .withNewSecurityContext()
          .withNewSeccompProfile()
          .withType("RuntimeDefault")
          .endSeccompProfile()
          .endSecurityContext()
          .endSpec();
    }
    return cluster.runReady(namespace.name(), b.build());
  }

  /** What the pod's own processes reach of every process not their own (see HUNT). */
  static final String HUNT =
      """
      me=$$
      for d in /proc/[0-9]*; do
        p=${d#/proc/}
        [ "$p" = 1 ] || [ "$p" = "$me" ] && continue
        grep -q "^PPid:[[:space:]]*$me\\$" $d/status 2>/dev/null && continue
        [ "$(cut -d' ' -f3 $d/stat 2>/dev/null)" = Z ] && continue
        comm=$(cat $d/comm 2>/dev/null) || continue
        exe=$(readlink $d/exe 2>/dev/null) || exe=DENIED
        if ls $d/fd/ >/dev/null 2>&1; then
          fds=
          for f in $d/fd/*; do
            t=$(readlink $f 2>/dev/null) || t=DENIED
            fds="$fds$t,"
            [ -d $f/.. ] && ls $f/.. >/dev/null 2>&1 && fds="${fds}PARENT-OF-$t-LISTED,"
          done
        else
          fds=DENIED
        fi
        ls $d/root/ >/dev/null 2>&1 && root=OPEN || root=DENIED
        cat $d/environ >/dev/null 2>&1 && environ=OPEN || environ=DENIED
        echo "PROC $p comm=$comm exe=$exe fds=$fds root=$root environ=$environ"
      done
      true
      """;

  @ParameterizedTest
  @ValueSource(strings = {"mount", "fuse"})
  void aRootPodReachesNothingOfAnOpenSession(String fs) {
    String name = "root-" + fs;
    rootPod(name, false);
    try (RunningCli session =
        RunningCli.start(
            lambdaCntr,
            lambdaCntr.session(
                "execute",
                List.of("--fs", fs),
                List.of(name),
                List.of("sh", "-c", "echo session-ready; exec cat")))) {
      session.awaitLine("session-ready", l -> l.equals("session-ready"), Duration.ofMinutes(3));
      String hunt = cluster.exec(namespace.name(), name, "main", "sh", "-c", HUNT);
      List<String> guard = hunt.lines().filter(l -> l.contains("comm=lambda-cntr-exe")).toList();
      assertThat(guard).as(hunt).hasSize(1);
      // a root pod may list the guard's descriptors (its numbers: stdio alone), never follow one
      assertThat(guard.get(0)).contains("exe=DENIED", "root=DENIED", "environ=DENIED");
      String fds = guard.get(0).replaceAll(".* fds=(\\S*) root=.*", "$1");
      assertThat(fds.split(",")).as(hunt).allMatch(t -> t.equals("DENIED"));
      assertThat(hunt).doesNotContain("PARENT-OF");
      // and the agent's own files, which every later session runs, cannot be changed in its pod
      Pod agent = cluster.servingAgent(lambdaCntr, cluster.firstNode());
      String write =
          cluster.exec(agent, "sh", "-c", "touch /opt/lambda-cntr/lib/planted 2>&1; true");
      assertThat(write).contains("Read-only file system");
      session.terminate();
      session.awaitExit(Duration.ofSeconds(60));
    }
    // The session's program reads its stdin, which the runtime closes when the CLI's stream goes:
    // it ends, and the guard with it. (One that neither reads nor prints learns nothing of its
    // client's end in direct mode: docs/security.md, "Still open".)
    TestCluster.eventually(
        Duration.ofSeconds(20),
        "no session process left in the pod",
        () ->
            !cluster
                .exec(namespace.name(), name, "main", "sh", "-c", HUNT)
                .contains("comm=lambda-cntr-exe"),
        () -> cluster.exec(namespace.name(), name, "main", "sh", "-c", HUNT));
  }

  @ParameterizedTest
  @ValueSource(strings = {"mount", "fuse"})
  void aMalformedPodIsStillDebuggableAndItsEnvironmentHijacksNothing(String fs) {
    String name = "malformed-" + fs;
    rootPod(name, false);
    // the runtime reads /etc/passwd for every exec into the pod, so the pod turns it into a
    // directory in the background (and back after 90 s), and lambda-cntr watches for it
    cluster.exec(
        namespace.name(),
        name,
        "main",
        "sh",
        "-c",
        "cp /etc/passwd /tmp/passwd && (rm /etc/passwd && mkdir /etc/passwd && sleep 90"
            + " && rmdir /etc/passwd && cp /tmp/passwd /etc/passwd) >/dev/null 2>&1 &");
    TestCluster.eventually(
        Duration.ofSeconds(30),
        "/etc/passwd of the pod a directory",
        () ->
            lambdaCntr
                    .execute(
                        List.of("--fs", fs),
                        List.of(name),
                        "test",
                        "-d",
                        "/var/lib/cntr/etc/passwd")
                    .exit()
                == 0,
        () -> "still a file");
    LambdaCntr.Result r =
        lambdaCntr.execute(List.of("--fs", fs), List.of(name), "sh", "-c", "env; id -un");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.stderr())
        .contains("leaves out the /etc/passwd of")
        .contains("it is a directory")
        .doesNotContain("cannot be preloaded");
    for (String entry : POISON) {
      assertThat(r.stdout().lines())
          .as(r.toString())
          .doesNotContain(entry)
          .contains("TARGET_" + entry);
    }
    assertThat(r.stdout()).as("the tools' /etc/passwd names uid 0").endsWith("root\n");
  }

  @ParameterizedTest
  @ValueSource(strings = {"mount", "fuse"})
  void aSessionRunsUnderThePodsRuntimeDefaultSeccompProfile(String fs) {
    String name = "seccomp-" + fs;
    rootPod(name, true);
    String own =
        cluster.exec(namespace.name(), name, "main", "grep", "^Seccomp:", "/proc/self/status");
    assertThat(own).as("the pod itself").contains("2");
    LambdaCntr.Result r =
        lambdaCntr.execute(
            List.of("--fs", fs), List.of(name), "grep", "^Seccomp:", "/proc/self/status");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.stdout()).as(r.toString()).isEqualTo(own);
  }

  @ParameterizedTest
  @ValueSource(strings = {"mount", "fuse"})
  void aSilentSessionEndsWhenItsClientIsKilled(String fs) {
    String name = "silent-" + fs;
    rootPod(name, false);
    RunningCli session =
        RunningCli.start(
            lambdaCntr,
            lambdaCntr.session(
                "execute", List.of("--fs", fs), List.of(name), List.of("sleep", "300")));
    try {
      TestCluster.eventually(
          Duration.ofMinutes(3),
          "the session in the pod",
          () ->
              cluster
                  .exec(namespace.name(), name, "main", "sh", "-c", HUNT)
                  .contains("comm=lambda-cntr-exe"),
          session::toString);
      // kill -9: nothing of the CLI's own ends the session; the agent sees its input stream end
      session.kill();
      TestCluster.eventually(
          Duration.ofSeconds(30),
          "no session process left in the pod after the CLI's SIGKILL",
          () ->
              !cluster
                  .exec(namespace.name(), name, "main", "sh", "-c", HUNT)
                  .contains("comm=lambda-cntr-exe"),
          () -> cluster.exec(namespace.name(), name, "main", "sh", "-c", HUNT));
    } finally {
      session.kill();
    }
  }

  /**
   * The hostile image (images/build target-hostile): its main process has replaced {@code
   * /dev/ptmx} and planted links, a directory and a FIFO at the identity files before the session,
   * and tries to break into every process of the session while it is open (its log shows each
   * attempt). It reaches no descriptor, file or memory of the agent, the session works (a terminal,
   * the tools, the target's environment renamed), and it is left with no zombie and no restart.
   */
  @ParameterizedTest
  @ValueSource(strings = {"mount", "fuse"})
  void theHostileImageAttacksAnOpenSessionAndGainsNothing(String fs) {
    String name = "probe-" + fs;
    Pod pod =
        cluster.runReady(
            namespace.name(),
            E2eNamespace.target(name, cluster.firstNode(), UseCaseImages.hostileTarget()));
    String containerId = pod.getStatus().getContainerStatuses().get(0).getContainerID();
    TestCluster.eventually(
        Duration.ofSeconds(30),
        "the probe's plants",
        () -> log(name).contains("hostile: ready"),
        () -> log(name));
    String out;
    try (RunningCli session =
        RunningCli.start(
            lambdaCntr,
            lambdaCntr.session(
                "execute",
                List.of("--fs", fs, "--tty"),
                List.of(name),
                List.of("sh", "-c", "env; tty; echo session-ready; exec cat")))) {
      session.awaitLine(
          "session-ready", l -> l.strip().equals("session-ready"), Duration.ofMinutes(3));
      TestCluster.eventually(
          Duration.ofSeconds(30),
          "the probe's attempts on the session's own process",
          () -> log(name).contains("comm=lambda-cntr-exe what=ptrace"),
          () -> log(name));
      session.terminate();
      session.awaitExit(Duration.ofSeconds(60));
      out = session.stdout() + session.stderr();
    }
    // CRI-O's default capabilities leave out CAP_MKNOD: there the plant fails (no such attack)
    String planted = cluster.runtimeOf(cluster.firstNode()).equals("cri-o") ? "EPERM" : "DONE";
    assertThat(log(name)).contains("PLANT /dev/ptmx=char(1,3) result=" + planted);
    // the terminal came from the pod's devpts, not from its /dev/ptmx
    assertThat(out).containsPattern("(?m)^/dev/pts/[0-9]+\\r?$");
    assertThat(out)
        .contains(
            "leaves out the /etc/passwd of",
            "leaves out the /etc/localtime of",
            "leaves out the /etc/timezone of");
    assertThat(out.lines().map(String::strip))
        .contains("TARGET_LD_PRELOAD=/tmp/hostile.so", "TARGET_BASH_ENV=/tmp/rc")
        .noneMatch(l -> l.startsWith("LD_PRELOAD=") || l.startsWith("BASH_ENV="));
    TestCluster.sleep(Duration.ofSeconds(3));
    String log = log(name);
    List<String> attempts = log.lines().filter(l -> l.startsWith("ATTEMPT ")).toList();
    // the session's own processes (before the program's exec): nothing opened, nothing traced
    List<String> own = attempts.stream().filter(l -> l.contains(" comm=lambda-cntr-exe ")).toList();
    assertThat(own).as(log).isNotEmpty().noneMatch(l -> l.contains(" result=OPEN"));
    // the program's descriptors (the target may reach those, as with kubectl exec) lead to its
    // terminal and pipes, or, seen while the program starts, to a file its dynamic loader or libc
    // opened in the view (/etc/ld.so.cache, a library: what the program's root, open to the target
    // anyway, shows); never to a directory, a namespace, or a file of the agent's own
    List<String> programFds =
        attempts.stream()
            .filter(l -> !l.contains(" comm=lambda-cntr-exe "))
            .filter(l -> l.matches(".* what=fd/[0-9]+ result=OPEN.*"))
            .toList();
    assertThat(attempts).as(log).noneMatch(l -> l.contains("/..") && l.contains(" result=OPEN"));
    assertThat(programFds)
        .as(log)
        .allMatch(
            l ->
                l.matches(".* target=(pipe:|socket:|anon_inode:|/dev/pts/|/dev/null).*")
                    || (l.matches(".* target=/(etc|usr|lib)/[^ ]*[^/]$")
                        && attempts.stream().noneMatch(a -> a.startsWith(directoryProbe(l)))));
    assertThat(log).as("zombies left under the pod's PID 1").doesNotContain("ZOMBIE ");
    Pod now = cluster.client().pods().inNamespace(namespace.name()).withName(name).get();
    assertThat(now.getStatus().getContainerStatuses().get(0).getContainerID())
        .isEqualTo(containerId);
    assertThat(now.getStatus().getContainerStatuses().get(0).getRestartCount()).isZero();
  }

  /**
   * The probe's line for the parent of the descriptor in {@code fdLine}: it has one if a directory.
   */
  private static String directoryProbe(String fdLine) {
    return fdLine.substring(0, fdLine.indexOf(" result=")) + "/.. ";
  }

  private static String log(String pod) {
    return cluster.client().pods().inNamespace(namespace.name()).withName(pod).getLog();
  }
}
