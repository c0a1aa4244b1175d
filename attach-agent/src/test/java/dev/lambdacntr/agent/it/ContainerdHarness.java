package dev.lambdacntr.agent.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A containerd of the agent's own for its integration tests: Debian's containerd and runc, with its
 * own root, state, socket, runc root and FIFO directory (all named {@code lambda-cntr-agent-it}),
 * its CRI plugin configured for this machine ({@code restrict_oom_score_adj}, a local sandbox
 * image, no CNI). Started and stopped by PID; {@link #close} removes every container, namespace
 * file and mount it made, and a run killed half-way is cleaned up by the next one's {@link #start}.
 */
public final class ContainerdHarness implements AutoCloseable {
  /** Persistent state: containerd's root, images being built, volumes. */
  public static final Path STATE = Path.of("/var/lib/lambda-cntr-agent-it");

  /** Runtime state: socket, containerd state, runc root, FIFOs, namespace files. */
  public static final Path RUN = Path.of("/run/lambda-cntr-agent-it");

  /** The containerd namespace the tests' `ctr` containers live in. */
  public static final String NAMESPACE = "lambda-cntr-agent-it";

  /** The CRI plugin's namespace. */
  public static final String CRI_NAMESPACE = "k8s.io";

  public static final String SANDBOX_IMAGE = "ghcr.io/lambda-cntr/agent-it-pause:0.1.0";

  private static final Path PID_FILE = RUN.resolve("containerd.pid");

  private final Process containerd;
  private final List<String> containers = new ArrayList<>();

  private ContainerdHarness(Process containerd) {
    this.containerd = containerd;
  }

  public static Path socket() {
    return RUN.resolve("containerd.sock");
  }

  /**
   * Held for as long as a test run uses the harness: concurrent runs (CI and a developer, say) wait
   * for each other instead of sharing one containerd; the kernel releases it when a run dies, whose
   * leftovers the next run then removes.
   */
  private static final Path LOCK = Path.of("/var/lock/lambda-cntr-agent-it.lock");

  private static FileLock lock;

  /** Cleans up after an earlier run, then starts containerd and waits until it answers. */
  public static ContainerdHarness start() {
    lock();
    cleanUpEarlierRun();
    try {
      Files.createDirectories(RUN);
      Files.createDirectories(STATE);
      Path config = RUN.resolve("config.toml");
      Files.writeString(config, config());
      Path log = STATE.resolve("containerd.log");
      Process process =
          new ProcessBuilder("containerd", "--config", config.toString())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      Files.writeString(PID_FILE, Long.toString(process.pid()));
      ContainerdHarness harness = new ContainerdHarness(process);
      harness.awaitReady(log);
      return harness;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start containerd", e);
    }
  }

  private static String config() {
    return """
        version = 2
        root = "%1$s/containerd"
        state = "%2$s/state"
        oom_score = 0
        [grpc]
          address = "%2$s/containerd.sock"
        [ttrpc]
          address = "%2$s/containerd.sock.ttrpc"
        [plugins."io.containerd.internal.v1.opt"]
          path = "%1$s/opt"
        [plugins."io.containerd.grpc.v1.cri"]
          restrict_oom_score_adj = true
          sandbox_image = "%3$s"
          stream_server_address = "127.0.0.1"
          stream_server_port = "0"
          [plugins."io.containerd.grpc.v1.cri".containerd]
            default_runtime_name = "runc"
            [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
              runtime_type = "io.containerd.runc.v2"
              [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
                Root = "%2$s/runc"
          [plugins."io.containerd.grpc.v1.cri".cni]
            bin_dir = "/usr/lib/cni"
            conf_dir = "%1$s/net.d"
        """
        .formatted(STATE, RUN, SANDBOX_IMAGE);
  }

  private void awaitReady(Path log) {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline) {
      if (!containerd.isAlive()) {
        throw new IllegalStateException("containerd exited at start: " + tail(log));
      }
      if (Files.exists(socket()) && ctr(NAMESPACE, "version").exit() == 0) {
        return;
      }
      sleep(100);
    }
    throw new IllegalStateException("containerd did not answer within 20 s: " + tail(log));
  }

  /** Runs {@code ctr} against this containerd in a namespace. */
  public static Commands.Result ctr(String namespace, String... args) {
    List<String> command =
        new ArrayList<>(List.of("ctr", "-a", socket().toString(), "-n", namespace));
    command.addAll(List.of(args));
    return Commands.run(command);
  }

  private static String ctrChecked(String namespace, String... args) {
    Commands.Result result = ctr(namespace, args);
    if (result.exit() != 0) {
      throw new IllegalStateException(
          "ctr " + String.join(" ", args) + ": " + result.err() + result.out());
    }
    return result.out();
  }

  /** Imports an OCI archive whose index names one image; {@code name} is REPOSITORY (no tag). */
  public void importImage(Path archive, String namespace, String repository) {
    ctrChecked(namespace, "images", "import", "--base-name", repository, archive.toString());
  }

  /**
   * Runs a container detached with {@code ctr run}; returns its task's PID.
   *
   * @param options ctr run options (before the image)
   */
  public int run(String id, String image, List<String> options) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "run",
                "-d",
                "--fifo-dir",
                RUN.resolve("fifo").toString(),
                "--runc-root",
                RUN.resolve("runc").toString()));
    args.addAll(options);
    args.add(image);
    args.add(id);
    containers.add(id);
    ctrChecked(NAMESPACE, args.toArray(String[]::new));
    return taskPid(id).orElseThrow(() -> new IllegalStateException("no task for " + id));
  }

  /**
   * Runs a container the way a privileged hostPID, hostNetwork pod runs: every capability this
   * machine grants, the host's PID and network namespaces, a read-write cgroup mount that shows
   * only the container's own cgroup, no masked paths. Its root is a bind mount of the host's root
   * (unmounted by {@link #close}), so the agent distribution and the JDK are where the build left
   * them. ctr has no flags for this: the runtime spec is ctr's default, changed with python3.
   */
  public int runLikeAgentPod(String id, List<String> command) {
    Path root = STATE.resolve("agent-pod-root");
    Path spec = STATE.resolve("agent-pod-spec.json");
    try {
      Files.createDirectories(root);
      Commands.check("mount", "--bind", "/", root.toString());
      Commands.check("mount", "--make-private", root.toString());
      Files.writeString(spec, ctrChecked(NAMESPACE, "oci", "spec"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String edit =
        """
        import json, sys
        path, root, cgroup, args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
        spec = json.load(open(path))
        ours = int(open('/proc/self/status').read().split('CapBnd:')[1].split()[0], 16)
        names = ['CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID',
                 'SETUID', 'SETPCAP', 'LINUX_IMMUTABLE', 'NET_BIND_SERVICE', 'NET_BROADCAST',
                 'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'IPC_OWNER', 'SYS_MODULE', 'SYS_RAWIO',
                 'SYS_CHROOT', 'SYS_PTRACE', 'SYS_PACCT', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE',
                 'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD', 'LEASE', 'AUDIT_WRITE',
                 'AUDIT_CONTROL', 'SETFCAP', 'MAC_OVERRIDE', 'MAC_ADMIN', 'SYSLOG', 'WAKE_ALARM',
                 'BLOCK_SUSPEND', 'AUDIT_READ', 'PERFMON', 'BPF', 'CHECKPOINT_RESTORE']
        caps = ['CAP_' + n for i, n in enumerate(names) if ours >> i & 1]
        for kind in ('bounding', 'effective', 'permitted'):
            spec['process']['capabilities'][kind] = caps
        spec['process']['args'] = args
        spec['process']['noNewPrivileges'] = False
        spec['root'] = {'path': root, 'readonly': False}
        spec['linux']['namespaces'] = [n for n in spec['linux']['namespaces'] if n['type'] not in ('pid', 'network')]
        spec['linux'].setdefault('resources', {})['devices'] = [{'allow': True, 'access': 'rwm'}]
        spec['linux']['cgroupsPath'] = cgroup
        spec['linux'].pop('maskedPaths', None)
        spec['linux'].pop('readonlyPaths', None)
        spec['mounts'] = [m for m in spec['mounts'] if m['destination'] != '/run']
        spec['mounts'].append({'destination': '/sys/fs/cgroup', 'type': 'cgroup', 'source': 'cgroup',
                               'options': ['nosuid', 'noexec', 'nodev', 'relatime', 'rw']})
        json.dump(spec, open(path, 'w'))
        """;
    List<String> python =
        new ArrayList<>(
            List.of(
                "python3",
                "-c",
                edit,
                spec.toString(),
                root.toString(),
                "/" + NAMESPACE + "/" + id));
    python.addAll(command);
    Commands.check(python);
    containers.add(id);
    ctrChecked(
        NAMESPACE,
        "run",
        "-d",
        "--fifo-dir",
        RUN.resolve("fifo").toString(),
        "--runc-root",
        RUN.resolve("runc").toString(),
        "--config",
        spec.toString(),
        id);
    return taskPid(id).orElseThrow(() -> new IllegalStateException("no task for " + id));
  }

  /** The PID of a running task in the tests' namespace. */
  public Optional<Integer> taskPid(String id) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      for (String line : ctrChecked(NAMESPACE, "tasks", "ls").split("\n")) {
        String[] fields = line.trim().split("\\s+");
        if (fields.length >= 3 && fields[0].equals(id) && fields[2].equals("RUNNING")) {
          return Optional.of(Integer.parseInt(fields[1]));
        }
      }
      sleep(50);
    }
    return Optional.empty();
  }

  /** Kills and deletes a container of the tests' namespace. */
  public void remove(String id) {
    removeContainer(NAMESPACE, id);
    containers.remove(id);
  }

  private static void removeContainer(String namespace, String id) {
    ctr(namespace, "tasks", "kill", "-s", "SIGKILL", id);
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (ctr(namespace, "tasks", "delete", id).exit() != 0 && System.nanoTime() < deadline) {
      if (!ctr(namespace, "tasks", "ls").out().contains(id)) {
        break;
      }
      sleep(50);
    }
    ctr(namespace, "containers", "delete", id);
  }

  @Override
  public void close() {
    for (String id : List.copyOf(containers)) {
      remove(id);
    }
    removeAllContainers();
    stop(containerd.toHandle());
    unmountBelow(RUN);
    unmountBelow(STATE);
    deleteTree(RUN);
    deleteTree(STATE.resolve("containerd"));
    unlock();
  }

  /** Every container of ours, also those a crashed run left, in both namespaces. */
  private static void removeAllContainers() {
    for (String namespace : List.of(NAMESPACE, CRI_NAMESPACE)) {
      Commands.Result list = ctr(namespace, "containers", "ls", "-q");
      if (list.exit() != 0) {
        continue;
      }
      for (String id : list.out().split("\n")) {
        if (!id.isBlank()) {
          removeContainer(namespace, id.strip());
        }
      }
    }
  }

  private static synchronized void lock() {
    if (lock != null) {
      return;
    }
    try {
      FileChannel channel =
          FileChannel.open(LOCK, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
      while ((lock = channel.tryLock()) == null) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("another test run has held " + LOCK + " for 30 minutes");
        }
        sleep(500);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot lock " + LOCK, e);
    }
  }

  private static synchronized void unlock() {
    if (lock != null) {
      try {
        lock.channel().close();
      } catch (IOException e) {
        // released when the JVM ends anyway
      }
      lock = null;
    }
  }

  private static void cleanUpEarlierRun() {
    if (!Files.exists(PID_FILE)) {
      unmountBelow(RUN);
      return;
    }
    try {
      long pid = Long.parseLong(Files.readString(PID_FILE).strip());
      Optional<ProcessHandle> earlier =
          ProcessHandle.of(pid)
              .filter(
                  p ->
                      p.info()
                          .commandLine()
                          .orElse("")
                          .contains(RUN.resolve("config.toml").toString()));
      if (earlier.isPresent()) {
        removeAllContainers();
        stop(earlier.get());
      }
    } catch (IOException | NumberFormatException e) {
      // nothing to stop
    }
    unmountBelow(RUN);
    unmountBelow(STATE);
    deleteTree(RUN);
  }

  private static void stop(ProcessHandle process) {
    process.destroy();
    try {
      process.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      process.destroyForcibly();
    }
  }

  /** Unmounts (lazily, deepest first) every mount of this process's namespace below {@code dir}. */
  static void unmountBelow(Path dir) {
    List<String> mountPoints = mountPointsBelow(dir);
    mountPoints.sort(Comparator.comparingInt(String::length).reversed());
    for (String mountPoint : mountPoints) {
      Commands.run(List.of("umount", "-l", mountPoint));
    }
  }

  /** Deletes a directory tree; refuses when something is still mounted below it. */
  private static List<String> mountPointsBelow(Path dir) {
    String prefix = dir + "/";
    List<String> mountPoints = new ArrayList<>();
    try {
      for (String line :
          Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
        String mountPoint = line.split(" ")[4];
        if (mountPoint.startsWith(prefix) || mountPoint.equals(dir.toString())) {
          mountPoints.add(mountPoint);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return mountPoints;
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    List<String> mounted = mountPointsBelow(dir);
    if (!mounted.isEmpty()) {
      throw new IllegalStateException(
          "not deleting " + dir + ": still mounted below it: " + mounted);
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
