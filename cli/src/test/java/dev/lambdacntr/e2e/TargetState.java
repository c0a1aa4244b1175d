package dev.lambdacntr.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What must never change about a target, whatever lambda-cntr does to it: the container (ID,
 * restart count, start time), its files, the mount table of its init process and its processes.
 *
 * @param files every path of the target's root file system with type, size, mode, owner and
 *     modification time, and the MD5 of every regular file
 * @param mounts the mount table of the target's PID 1
 * @param processes the target's processes (PID, parent, command line), the looker's own excluded
 */
record TargetState(
    String namespace,
    String pod,
    String containerId,
    int restartCount,
    String startedAt,
    String files,
    String mounts,
    String processes) {

  private static final Duration SETTLE = Duration.ofSeconds(10);

  // Scripts for busybox or Debian sh, run with the target's root as working directory.
  private static final String FILES =
      "find . -xdev -exec stat -c '%n %F %s %a %u:%g %Y' {} + | sort;"
          + " find . -xdev -type f -exec md5sum {} + | sort";
  private static final String MOUNTS = "cat /proc/1/mountinfo";
  // The looking shell ($$) and its children are not the target's.
  private static final String PROCESSES =
      "ps -o pid,ppid,args | awk -v me=$$ '$1 != me && $2 != me'";

  /** How the test looks into the target: runs a shell script with its root as working directory. */
  interface Inside {
    String run(String script);

    /** Whether it sees only the target's processes (a session's own would be in the list). */
    boolean seesOnlyTheTargetsProcesses();
  }

  /**
   * Through the API's exec in the target's own container (what {@code kubectl exec} does),
   * independent of lambda-cntr: for targets that have a shell.
   */
  static Inside apiExec(TestCluster cluster, String namespace, String pod) {
    return new Inside() {
      @Override
      public String run(String script) {
        return cluster.exec(namespace, pod, "main", "sh", "-c", "cd / && " + script);
      }

      @Override
      public boolean seesOnlyTheTargetsProcesses() {
        return true;
      }
    };
  }

  /**
   * Through lambda-cntr itself, for a target without a shell: its root at {@code /var/lib/cntr}. A
   * change by one session shows in the next session's view.
   */
  static Inside lambdaCntr(LambdaCntr lambdaCntr, String pod) {
    return new Inside() {
      @Override
      public String run(String script) {
        LambdaCntr.Result r =
            lambdaCntr.execute(
                List.of("-q"), List.of(pod), "sh", "-c", "cd /var/lib/cntr && " + script);
        assertThat(r.exit()).as(r.toString()).isZero();
        return r.stdout();
      }

      @Override
      public boolean seesOnlyTheTargetsProcesses() {
        return false;
      }
    };
  }

  /** The state of container {@code main} of the pod. */
  static TargetState of(TestCluster cluster, String namespace, String pod, Inside inside) {
    Pod object = cluster.client().pods().inNamespace(namespace).withName(pod).get();
    ContainerStatus status =
        object.getStatus().getContainerStatuses().stream()
            .filter(s -> "main".equals(s.getName()))
            .findFirst()
            .orElseThrow(() -> new AssertionError(namespace + "/" + pod + " has no main"));
    return new TargetState(
        namespace,
        pod,
        status.getContainerID(),
        Objects.requireNonNullElse(status.getRestartCount(), 0),
        status.getState().getRunning() == null
            ? "not running: " + status.getState()
            : status.getState().getRunning().getStartedAt(),
        inside.run(FILES),
        inside.run(MOUNTS),
        inside.seesOnlyTheTargetsProcesses() ? inside.run(PROCESSES) : "(not inspected)");
  }

  /**
   * Fails, naming what differs, unless the target is as it was. Polled for a few seconds: a session
   * that has just ended may still be reaping its last processes.
   */
  void assertUnchanged(TestCluster cluster, Inside inside) {
    long deadline = System.nanoTime() + SETTLE.toNanos();
    TargetState now = of(cluster, namespace, pod, inside);
    while (!now.equals(this) && System.nanoTime() < deadline) {
      TestCluster.sleep(Duration.ofMillis(500));
      now = of(cluster, namespace, pod, inside);
    }
    String what = namespace + "/" + pod + ": ";
    assertThat(now.containerId).as(what + "container ID").isEqualTo(containerId);
    assertThat(now.restartCount).as(what + "restart count").isEqualTo(restartCount);
    assertThat(now.startedAt).as(what + "container start time").isEqualTo(startedAt);
    assertThat(now.files).as(what + "files of the root file system").isEqualTo(files);
    assertThat(now.mounts).as(what + "mount table of its PID 1").isEqualTo(mounts);
    assertThat(now.processes).as(what + "processes").isEqualTo(processes);
  }
}
