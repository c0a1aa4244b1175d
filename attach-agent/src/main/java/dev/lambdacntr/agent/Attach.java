package dev.lambdacntr.agent;

import dev.lambdacntr.agent.postmortem.PostMortem;
import dev.lambdacntr.agent.session.SessionHelper;
import dev.lambdacntr.agent.session.SessionMarker;
import dev.lambdacntr.agent.session.SessionPlan;
import dev.lambdacntr.agent.session.SessionSpec;
import dev.lambdacntr.agent.session.SessionStdio;
import dev.lambdacntr.agent.sys.Fd;
import dev.lambdacntr.agent.sys.Sys;
import dev.lambdacntr.agent.target.Capabilities;
import dev.lambdacntr.agent.target.CgroupPlacement;
import dev.lambdacntr.agent.target.Namespace;
import dev.lambdacntr.agent.target.NamespaceSet;
import dev.lambdacntr.agent.target.SeccompProfile;
import dev.lambdacntr.agent.target.TargetLocator;
import dev.lambdacntr.agent.target.TargetProcess;
import dev.lambdacntr.agent.target.TargetSnapshot;
import dev.lambdacntr.agent.view.CntrLayout;
import dev.lambdacntr.agent.view.ExitedRoot;
import dev.lambdacntr.agent.view.MountApi;
import dev.lambdacntr.agent.view.SharedFuseTools;
import dev.lambdacntr.agent.view.ToolsRoot;
import dev.lambdacntr.agent.view.ViewBuilder;
import dev.lambdacntr.protocol.AgentInvocation;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import dev.lambdacntr.protocol.FsBackend;
import dev.lambdacntr.sys.Fcntl;
import dev.lambdacntr.sys.Libc;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * {@code lambda-cntr-agent attach}: find the target, read what the session adopts, enter, build the
 * view, hand over to the session. Every failure ends here with an agent exit code and a message; no
 * step before the final exec ever runs a user's program, so a failure never leaves the user in the
 * agent's privileged context.
 *
 * <p>A resident agent (the node agent) runs it in its own JVM, one call per session and many at
 * once, with {@link SessionStdio}: then nothing here touches the process as a whole. What changes
 * (root, working directory, mount, uts, ipc, net and cgroup namespaces) changes on the session's
 * own entering thread only, which ends with the session; the helper is spawned from that thread,
 * never exec'd over the JVM, with the given descriptors as its streams, and ends when that thread
 * does ({@code --end-with-parent}); there is no session marker (all would name the one JVM's PID).
 */
public final class Attach {
  private final Path home;
  private final Optional<SharedFuseTools> sharedFuse;

  /** A launched agent's: one session, its own FUSE server when it has the fuse backend. */
  public Attach(Path home) {
    this(home, Optional.empty());
  }

  private Attach(Path home, Optional<SharedFuseTools> sharedFuse) {
    this.home = home;
    this.sharedFuse = sharedFuse;
  }

  /**
   * A resident agent's: its sessions with the fuse backend share one cntrfs mount of {@code
   * toolsRoot} ({@link SharedFuseTools}), which stays warm between sessions and is let go {@code
   * idle} after the last one ends.
   */
  public static Attach resident(Path home, Path toolsRoot, Duration idle) {
    return new Attach(home, Optional.of(new SharedFuseTools(toolsRoot, Backends.cntrfs(), idle)));
  }

  int run(AgentInvocation invocation) {
    return run(invocation, Optional.empty());
  }

  /**
   * Runs one session and returns its exit status: the program's, or with the mount backend and no
   * {@code stdio} never (the JVM becomes the helper).
   *
   * @param stdio the session's streams in a resident agent; empty in a launched one, whose own
   *     streams the session takes over
   */
  public int run(AgentInvocation invocation, Optional<SessionStdio> stdio) {
    if (invocation.postMortem()) {
      return runPostMortem(invocation, stdio);
    }
    Path toolsRoot = Path.of(invocation.toolsRoot().orElse("/"));
    ToolsRoot tools = Backends.choose(invocation.fs(), toolsRoot, sharedFuse);
    Trace.step("backend " + tools.name());
    List<Fd> forHelper = new ArrayList<>();
    Optional<SessionMarker> marker = Optional.empty();
    try (tools;
        TargetProcess target = TargetLocator.locate(invocation);
        NamespaceSet namespaces = NamespaceSet.open(target);
        SessionHelper helper = SessionHelper.open(home)) {
      Trace.step("found " + target.description());
      TargetSnapshot snapshot =
          TargetSnapshot.read(target, namespaces.get(Namespace.USER).isPresent());
      Trace.step("read the target's state");
      ensureTargetRootMountPoint(toolsRoot);
      marker = stdio.isEmpty() ? SessionMarker.create(Libc.getpid()) : Optional.empty();
      Optional<String> seccomp =
          invocation.noSeccomp()
              ? Optional.empty()
              : SeccompProfile.forSession(target, target.containerId());
      SessionPlan plan =
          plan(snapshot, namespaces, invocation, seccomp, forHelper, marker, tools, stdio, false);
      Fd toolsMount = tools.detachedMount();
      Trace.step("tools root ready");
      openClassPath();
      // a class rather than a lambda: its call site would be linked only here, never in the AOT
      // training run, and linking a lambda costs milliseconds
      return onEnteringThread(
          new Entry(
              target,
              namespaces,
              toolsMount,
              plan,
              invocation.command(),
              invocation.tmpSize(),
              tools,
              helper,
              stdio,
              Optional.empty()));
    } finally {
      // with the mount backend the JVM never gets here: the helper removes the marker at the end
      marker.ifPresent(SessionMarker::close);
      forHelper.forEach(Fd::close);
    }
  }

  /**
   * A post-mortem session ({@link PostMortem}): the sandbox's namespaces, the exited container's
   * identity and root. The JVM stays for the session, whatever the backend, and removes the hold of
   * the container's files when it ends.
   */
  private int runPostMortem(AgentInvocation invocation, Optional<SessionStdio> stdio) {
    Path toolsRoot = Path.of(invocation.toolsRoot().orElse("/"));
    Consumer<String> warnings =
        stdio.<Consumer<String>>map(s -> s::warn).orElse(System.err::println);
    ToolsRoot tools = Backends.choose(invocation.fs(), toolsRoot, sharedFuse);
    Trace.step("backend " + tools.name());
    List<Fd> forHelper = new ArrayList<>();
    Optional<SessionMarker> marker = Optional.empty();
    try (tools;
        PostMortem postMortem =
            PostMortem.prepare(
                invocation.containerId().orElseThrow(),
                invocation.podUid().orElseThrow(),
                invocation.containerName(),
                warnings);
        NamespaceSet namespaces = NamespaceSet.open(postMortem.sandbox());
        SessionHelper helper = SessionHelper.open(home)) {
      Trace.step("post-mortem of " + postMortem.container().id());
      ensureTargetRootMountPoint(toolsRoot);
      marker = stdio.isEmpty() ? SessionMarker.create(Libc.getpid()) : Optional.empty();
      // the container's seccomp filter went with its processes; the view is read-only
      SessionPlan plan =
          plan(
              postMortem.snapshot(),
              namespaces,
              invocation,
              Optional.empty(),
              forHelper,
              marker,
              tools,
              stdio,
              true);
      Fd toolsMount = tools.detachedMount();
      warnings.accept(postMortem.summary());
      openClassPath();
      return onEnteringThread(
          new Entry(
              postMortem.sandbox(),
              namespaces,
              toolsMount,
              plan,
              invocation.command(),
              invocation.tmpSize(),
              tools,
              helper,
              stdio,
              Optional.of(postMortem.root())));
    } finally {
      marker.ifPresent(SessionMarker::close);
      forHelper.forEach(Fd::close);
    }
  }

  /**
   * Opens every jar of the class path while it can still be reached: inside the view it cannot. A
   * class the AOT cache holds loads without its jar being opened, so a class first needed inside
   * (the errno table of a failure, the fuse backend's posix_spawn) would not be found in a jar that
   * nothing before had needed.
   */
  private static void openClassPath() {
    try {
      Collections.list(ClassLoader.getSystemClassLoader().getResources("META-INF/MANIFEST.MF"));
    } catch (IOException e) {
      throw new CntrException(
          ExitCode.AGENT_INTERNAL, "cannot open the agent's class path: " + e.getMessage());
    }
  }

  /**
   * On the entering thread: the view, the remaining namespaces, then the session helper. Returns
   * the session's exit status when the JVM stays (FUSE); otherwise the JVM becomes the helper.
   */
  private static int enterAndStart(
      TargetProcess target,
      NamespaceSet namespaces,
      Fd toolsMount,
      SessionPlan plan,
      List<String> command,
      String tmpSize,
      ToolsRoot tools,
      SessionHelper helper,
      Optional<SessionStdio> stdio,
      Optional<ExitedRoot> exited) {
    ViewBuilder.enter(
        namespaces.get(Namespace.MOUNT).orElseThrow(),
        toolsMount,
        target.description(),
        tmpSize,
        stdio.<Consumer<String>>map(s -> s::warn).orElse(System.err::println),
        exited);
    Trace.step("view built");
    for (Namespace kind : List.of(Namespace.UTS, Namespace.IPC, Namespace.NET, Namespace.CGROUP)) {
      Optional<Fd> ns = namespaces.get(kind);
      if (ns.isPresent()) {
        Sys.setns(
            ns.get(),
            kind.cloneFlag(),
            ExitCode.AGENT_ENTER_FAILED,
            "enter the " + kind.procName() + " namespace of " + target.description());
      }
    }
    SessionSpec session = plan.complete(command, Attach::executable);
    Trace.step("namespaces entered; starting " + session.program());
    Trace.flush();
    if (tools.servedByAgent() || stdio.isPresent() || exited.isPresent()) {
      return helper.spawnAndWait(session, stdio);
    }
    throw helper.replaceJvm(session);
  }

  /**
   * The start-up path without its effects, for the AOT cache's training run: locate, pin and read
   * the target, open the helper, clone the tools root; enter nothing, start nothing.
   */
  static void rehearse(Path home, AgentInvocation invocation) {
    Path toolsRoot = Path.of(invocation.toolsRoot().orElse("/"));
    MountApi.probe(); // --fs auto's probe (the CLI's default), whatever the kernel here answers
    try (ToolsRoot tools = Backends.choose(invocation.fs(), toolsRoot);
        TargetProcess target = TargetLocator.locate(invocation);
        NamespaceSet namespaces = NamespaceSet.open(target);
        SessionHelper helper = SessionHelper.open(home)) {
      TargetSnapshot snapshot = TargetSnapshot.read(target, false);
      List<Fd> forHelper = new ArrayList<>();
      SessionPlan plan =
          plan(
              snapshot,
              namespaces,
              invocation,
              Optional.empty(),
              forHelper,
              Optional.empty(),
              tools,
              Optional.empty(),
              false);
      plan.complete(List.of(), Attach::executable).helperArguments();
      forHelper.forEach(Fd::close);
      try {
        tools.detachedMount().close();
      } catch (CntrException unprivileged) {
        // an image build may run this without the privileges a real attach has
      }
    }
    try (ToolsRoot fuse = Backends.choose(FsBackend.FUSE, toolsRoot);
        Fd mount = fuse.detachedMount()) {
      // a few requests to the server, through the detached mount
      for (String name : List.of(".", "bin", "etc", "usr")) {
        try (Arena arena = Arena.ofConfined()) {
          int fd =
              Libc.openat(mount.value(), Libc.cstr(arena, name), Fcntl.O_PATH | Fcntl.O_CLOEXEC, 0);
          if (fd >= 0) {
            Libc.close(fd);
          }
        }
      }
    } catch (CntrException noFuse) {
      // no /dev/fuse or no privileges where the cache is trained: the cache covers less
    }
  }

  /** The view needs {@code /var/lib/cntr} in the tools root to put the target's root on. */
  private static void ensureTargetRootMountPoint(Path toolsRoot) {
    if (!Files.isDirectory(toolsRoot)) {
      throw new CntrException(
          ExitCode.AGENT_FILESYSTEM_FAILED, "the tools root " + toolsRoot + " is not a directory");
    }
    Path mountPoint = toolsRoot.resolve(CntrLayout.TARGET_ROOT.substring(1));
    if (Files.isDirectory(mountPoint)) {
      return;
    }
    try {
      Files.createDirectories(mountPoint);
    } catch (IOException e) {
      throw new CntrException(
          ExitCode.AGENT_FILESYSTEM_FAILED,
          "cannot create "
              + mountPoint
              + " in the tools root for the target's root: "
              + e.getMessage());
    }
  }

  private static boolean executable(String path) {
    Path file = Path.of(path);
    return Files.isRegularFile(file) && Files.isExecutable(file);
  }

  private static SessionPlan plan(
      TargetSnapshot snapshot,
      NamespaceSet namespaces,
      AgentInvocation invocation,
      Optional<String> seccomp,
      List<Fd> forHelper,
      Optional<SessionMarker> marker,
      ToolsRoot tools,
      Optional<SessionStdio> stdio,
      boolean jvmStays) {
    boolean resident = stdio.isPresent();
    List<SessionSpec.CgroupFd> cgroups = new ArrayList<>();
    for (CgroupPlacement.Join join : snapshot.cgroups()) {
      Fd procs =
          Sys.open(
              join.procsFile(),
              Fcntl.O_WRONLY,
              ExitCode.AGENT_ENTER_FAILED,
              "open " + join.procsFile() + " to join the target's cgroup");
      forHelper.add(procs);
      cgroups.add(new SessionSpec.CgroupFd(procs.value(), join.hierarchy() + ":" + join.path()));
    }
    return new SessionPlan(
        inheritable(namespaces, Namespace.PID, forHelper),
        inheritable(namespaces, Namespace.TIME, forHelper),
        inheritable(namespaces, Namespace.USER, forHelper),
        cgroups,
        snapshot,
        // a resident agent's own stdin is nobody's terminal
        invocation.tty() || (!resident && Libc.isatty(0)),
        invocation.framedStdin(),
        invocation.keepEnv(),
        seccomp,
        Capabilities.kernelLastCap(),
        marker.map(SessionMarker::forHelper),
        tools.servedByAgent() || resident || jvmStays,
        Optional.ofNullable(System.getenv("SHELL")),
        // a resident agent's own TERM is not the client's: the session's default (xterm) holds
        resident ? Optional.empty() : Optional.ofNullable(System.getenv("TERM")));
  }

  private static Optional<Integer> inheritable(
      NamespaceSet namespaces, Namespace kind, List<Fd> forHelper) {
    return namespaces
        .get(kind)
        .map(
            fd -> {
              Fd copy =
                  Sys.inheritable(
                      fd, ExitCode.AGENT_INTERNAL, "pass the " + kind.procName() + " namespace on");
              forHelper.add(copy);
              return copy.value();
            });
  }

  /** A step that runs on the dedicated thread whose namespaces and root change. */
  interface EnteringStep {
    int run();
  }

  /** The entering thread's work: {@link #enterAndStart}. */
  private record Entry(
      TargetProcess target,
      NamespaceSet namespaces,
      Fd toolsMount,
      SessionPlan plan,
      List<String> command,
      String tmpSize,
      ToolsRoot tools,
      SessionHelper helper,
      Optional<SessionStdio> stdio,
      Optional<ExitedRoot> exited)
      implements EnteringStep {
    @Override
    public int run() {
      return enterAndStart(
          target, namespaces, toolsMount, plan, command, tmpSize, tools, helper, stdio, exited);
    }
  }

  /**
   * Runs {@code step} on a new platform thread (namespace changes stay on it and on the threads and
   * processes it starts) and returns its result or rethrows its failure.
   */
  private static int onEnteringThread(EnteringStep step) {
    EnteringThread thread = new EnteringThread(step);
    thread.start();
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CntrException(ExitCode.AGENT_INTERNAL, "interrupted while entering the target", e);
    }
    if (thread.failure != null) {
      throw thread.failure;
    }
    return thread.result;
  }

  /** The platform thread whose namespaces and root change; its result or failure, once joined. */
  private static final class EnteringThread extends Thread {
    private final EnteringStep step;
    private int result;
    private RuntimeException failure;

    EnteringThread(EnteringStep step) {
      super("lambda-cntr-enter");
      this.step = step;
    }

    @Override
    public void run() {
      try {
        result = step.run();
      } catch (RuntimeException e) {
        failure = e;
      }
    }
  }
}
