package dev.lambdacntr.agent.postmortem;

import dev.lambdacntr.agent.Trace;
import dev.lambdacntr.agent.sys.Fd;
import dev.lambdacntr.agent.sys.Sys;
import dev.lambdacntr.agent.target.CgroupTree;
import dev.lambdacntr.agent.target.TargetProcess;
import dev.lambdacntr.agent.target.TargetSnapshot;
import dev.lambdacntr.agent.view.ExitedRoot;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import dev.lambdacntr.sys.Fcntl;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A post-mortem session's target: a container of a running pod that has exited. There is no process
 * of it to enter, so the session lives in its pod's sandbox (network, IPC, UTS, PID, user and
 * cgroup namespaces of the sandbox's process) with the container's environment, user and
 * capabilities from the spec it ran with, and {@code /var/lib/cntr} is what the run left: its root
 * filesystem, read-only, held for the session ({@link SnapshotHold}), its volumes, and {@code
 * .lambda-cntr/} with its exit code, reason and log.
 *
 * @param sandbox the sandbox's process, pinned: the namespaces to enter
 * @param snapshot what the session adopts, from the container's spec
 * @param root the exited root to put at {@code /var/lib/cntr}
 * @param hold the hold of its files, removed by {@link #close}
 * @param container what the runtime told of it
 * @param core the newest core dump the run left, as a path in its root ({@link CoreDumps})
 */
public record PostMortem(
    TargetProcess sandbox,
    TargetSnapshot snapshot,
    ExitedRoot root,
    SnapshotHold hold,
    ExitedContainer container,
    Optional<String> core)
    implements AutoCloseable {

  /** How many runs a session tries before it gives up: each one replaced while it was prepared. */
  private static final int MAX_RUNS = 4;

  /**
   * Finds the exited container {@code containerId} of pod {@code podUid} and prepares its view. The
   * client read that ID from the pod's status, which trails the runtime: when the run has ended
   * again since, the kubelet removes the older run (its log, then its snapshot, then its record),
   * possibly while the session holds it. Then the session is in the newest ended run of the
   * container named {@code containerName}, and {@code warnings} says so.
   */
  public static PostMortem prepare(
      String containerId,
      String podUid,
      Optional<String> containerName,
      Consumer<String> warnings) {
    CgroupTree pod = CgroupTree.onThisHost(Optional.of(podUid));
    CgroupTree.Lookup anyOfPod = pod.oldestOfPod();
    if (anyOfPod.pid().isEmpty()) {
      throw new CntrException(
          ExitCode.AGENT_TARGET_NOT_FOUND,
          "pod "
              + podUid
              + " has no running sandbox to hold a post-mortem session of container "
              + containerId
              + ": "
              + anyOfPod.detail());
    }
    RuntimeSocket runtime = RuntimeSocket.ofPodProcess(anyOfPod.pid().getAsInt());
    Trace.step("runtime at " + runtime.socket());
    try (RuntimeApi api = RuntimeApi.connect(runtime.socketPath())) {
      Set<String> gone = new LinkedHashSet<>();
      String id = containerId;
      while (true) {
        Optional<PostMortem> prepared = prepareRun(api, runtime, pod, id, podUid, warnings);
        if (prepared.isPresent()) {
          if (!gone.isEmpty()) {
            warnings.accept(
                "lambda-cntr: run "
                    + containerId
                    + " of container "
                    + containerName.orElseThrow()
                    + " is gone from the runtime: a newer run has ended since the pod's status was"
                    + " read; this session is in that newest ended run");
          }
          return prepared.get();
        }
        gone.add(id);
        Optional<String> newer =
            containerName
                .flatMap(name -> api.newestEnded(podUid, name))
                .filter(next -> !gone.contains(next));
        if (newer.isEmpty() || gone.size() == MAX_RUNS) {
          throw new CntrException(
              ExitCode.AGENT_TARGET_NOT_FOUND,
              "container "
                  + containerId
                  + " is gone from the runtime: the kubelet removes a dead container when a newer"
                  + " one of the same name has ended, or with its pod, so nothing of that run is"
                  + " left to enter; `kubectl logs --previous` may still show its log");
        }
        id = newer.get();
      }
    }
  }

  /** The session in run {@code id}; empty when the runtime removes it before it is held. */
  private static Optional<PostMortem> prepareRun(
      RuntimeApi api,
      RuntimeSocket runtime,
      CgroupTree pod,
      String id,
      String podUid,
      Consumer<String> warnings) {
    Optional<ExitedContainer> status = api.status(id);
    if (status.isEmpty()) {
      return Optional.empty();
    }
    ExitedContainer container = status.get();
    Optional<List<RuntimeApi.Mount>> mounts =
        api.mounts(container.snapshotter(), container.snapshotKey());
    if (mounts.isEmpty()) {
      return Optional.empty();
    }
    RootLayers layers = RootLayers.of(mounts.get(), container.snapshotKey());
    Trace.step("exited container's status and snapshot");
    CgroupTree.Lookup sandboxLookup = pod.find(container.sandboxId());
    if (sandboxLookup.pid().isEmpty()) {
      throw new CntrException(
          ExitCode.AGENT_TARGET_NOT_FOUND,
          "the sandbox "
              + container.sandboxId()
              + " of container "
              + id
              + " has no running process: "
              + sandboxLookup.detail());
    }
    TargetProcess sandbox =
        TargetProcess.open(
            sandboxLookup.pid().getAsInt(),
            Optional.of(container.sandboxId()),
            Optional.of(podUid));
    SnapshotHold hold = null;
    try {
      Path base = runtime.onHost(SnapshotHold.BASE);
      SnapshotHold.sweep(base);
      hold = SnapshotHold.create(base);
      Path upper = runtime.onHost(layers.upper());
      if (!hold.hold(upper)) {
        warnings.accept(
            "lambda-cntr: warning: "
                + SnapshotHold.BASE
                + " is on another file system than the snapshot of container "
                + id
                + ": its files are not held, and go if the kubelet removes it during the session");
      }
      PostMortemFiles.write(hold.info(), container, runtime.onHost(container.logPath()));
      // what the kubelet removes goes in this order: the log, the snapshot, the record; a hold
      // made while it did may lack files, so it counts only if the snapshot outlived it
      if (!stillThere(api, container)) {
        closeQuietly(sandbox, hold);
        return Optional.empty();
      }
      Optional<String> core =
          CoreDumps.collect(
              hold.info().resolve(PostMortemFiles.DIRECTORY),
              hold.files().orElse(upper),
              hold.files().isPresent(),
              CoreDumps.nodePattern());
      Trace.step("snapshot held");
      // the node's paths: the overlay is made in the runtime's mount namespace
      List<String> stack = new ArrayList<>();
      stack.add(runtime.onNode(hold.info()));
      stack.add(hold.files().map(runtime::onNode).orElse(layers.upper()));
      stack.addAll(layers.lowers());
      List<ExitedRoot.Source> sources = new ArrayList<>();
      for (RuntimeSpec.SpecMount mount : container.spec().mounts()) {
        if (mount.isBind()) {
          sources.add(
              new ExitedRoot.Source(mount.source(), mount.destination(), mount.recursive()));
        }
      }
      String what = "exited container " + id;
      ExitedRoot root;
      try (Fd runtimeMounts =
          Sys.open(
              runtime.mountNamespace().toString(),
              Fcntl.O_RDONLY | Fcntl.O_CLOEXEC,
              ExitCode.AGENT_ENTER_FAILED,
              "open the container runtime's mount namespace")) {
        root = ExitedRoot.assemble(runtimeMounts, stack, sources, what, warnings);
      }
      RuntimeSpec spec = container.spec();
      TargetSnapshot snapshot =
          new TargetSnapshot(
              spec.environment(),
              spec.uid(),
              spec.gid(),
              spec.groups(),
              spec.capabilities(),
              spec.noNewPrivs(),
              spec.workingDirectory(),
              Optional.empty(),
              List.of(),
              List.of());
      return Optional.of(new PostMortem(sandbox, snapshot, root, hold, container, core));
    } catch (IOException e) {
      closeQuietly(sandbox, hold);
      if (!stillThere(api, container)) {
        return Optional.empty();
      }
      throw new CntrException(
          ExitCode.AGENT_FILESYSTEM_FAILED,
          "cannot hold the files of exited container " + id + ": " + e.getMessage(),
          e);
    } catch (RuntimeException e) {
      closeQuietly(sandbox, hold);
      throw e;
    }
  }

  /**
   * Whether the runtime still has the run's snapshot, and so the run: the kubelet removes a run's
   * record after its snapshot.
   */
  private static boolean stillThere(RuntimeApi api, ExitedContainer container) {
    return api.mounts(container.snapshotter(), container.snapshotKey()).isPresent();
  }

  private static void closeQuietly(TargetProcess sandbox, SnapshotHold hold) {
    sandbox.close();
    if (hold != null) {
      hold.close();
    }
  }

  /** One line for the user: which run this is and how it ended. */
  public String summary() {
    return "lambda-cntr: post-mortem of container "
        + container.name()
        + " (run "
        + container.attempt()
        + ", exit code "
        + container.exitCode()
        + (container.reason().isEmpty() ? "" : ", " + container.reason())
        + "): its files are at /var/lib/cntr, read-only; .lambda-cntr/ there has its log and exit"
        + core.map(path -> ", and core: its core dump (" + path + ")").orElse("");
  }

  @Override
  public void close() {
    root.close();
    sandbox.close();
    hold.close();
  }
}
