package dev.lambdacntr.agent.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Docker engine of the agent's tests' own: Debian's dockerd with its own data root, exec root,
 * socket and containerd namespace, and no network of its own (no bridge, no iptables rules: the
 * machine's test cluster keeps its packet filter). Started and stopped by PID; {@link #close}
 * removes its containers, stops it and unmounts and deletes what it left, and a run killed half-way
 * is cleaned up by the next one's {@link #start}.
 */
final class DockerHarness implements AutoCloseable {
  static final Path STATE = Path.of("/var/lib/lambda-cntr-agent-it-docker");
  static final Path RUN = Path.of("/run/lambda-cntr-agent-it-docker");
  private static final Path PID_FILE = RUN.resolve("dockerd.pid");
  private static final Path SOCKET = RUN.resolve("docker.sock");

  /** Debian's client, whatever else is on PATH, for the engine's API version. */
  private static final String DOCKER = "/usr/bin/docker";

  private final Process dockerd;

  private DockerHarness(Process dockerd) {
    this.dockerd = dockerd;
  }

  static DockerHarness start() {
    cleanUpEarlierRun();
    try {
      Files.createDirectories(RUN);
      Files.createDirectories(STATE);
      Path log = STATE.resolve("dockerd.log");
      Process process =
          new ProcessBuilder(
                  "dockerd",
                  "--data-root",
                  STATE.resolve("data").toString(),
                  "--exec-root",
                  RUN.resolve("exec").toString(),
                  "--host",
                  "unix://" + SOCKET,
                  "--pidfile",
                  PID_FILE.toString(),
                  "--containerd-namespace",
                  "lambda-cntr-agent-it-docker",
                  "--containerd-plugins-namespace",
                  "lambda-cntr-agent-it-docker-plugins",
                  "--bridge=none",
                  "--iptables=false",
                  "--ip6tables=false")
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      DockerHarness harness = new DockerHarness(process);
      harness.awaitReady(log);
      return harness;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start dockerd", e);
    }
  }

  private void awaitReady(Path log) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      if (!dockerd.isAlive()) {
        throw new IllegalStateException("dockerd exited at start: " + ContainerdHarness.tail(log));
      }
      if (Files.exists(SOCKET) && docker("version").exit() == 0) {
        return;
      }
      ContainerdHarness.sleep(200);
    }
    throw new IllegalStateException(
        "dockerd did not answer within 30 s: " + ContainerdHarness.tail(log));
  }

  /** Runs Debian's {@code docker} client against this engine. */
  static Commands.Result docker(String... args) {
    List<String> command = new ArrayList<>(List.of(DOCKER));
    command.addAll(List.of(args));
    return Commands.run(
        command, Map.of("DOCKER_HOST", "unix://" + SOCKET), new byte[0], Duration.ofSeconds(120));
  }

  static String dockerChecked(String... args) {
    Commands.Result result = docker(args);
    if (result.exit() != 0) {
      throw new IllegalStateException(
          "docker " + String.join(" ", args) + " failed (" + result.exit() + "): " + result.err());
    }
    return new String(result.stdout(), StandardCharsets.UTF_8).strip();
  }

  /** Loads an OCI archive (umoci's layout, tag {@code tag}) into the engine as {@code name}. */
  void load(Path ociArchive, String tag, String name) {
    Path archive = STATE.resolve("image.docker.tar");
    try {
      Files.deleteIfExists(archive);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Commands.check(
        "skopeo",
        "copy",
        "--quiet",
        "oci-archive:" + ociArchive + ":" + tag,
        "docker-archive:" + archive + ":" + name);
    dockerChecked("load", "--quiet", "--input", archive.toString());
  }

  @Override
  public void close() {
    Commands.Result listed = docker("ps", "--all", "--quiet");
    String ids = listed.exit() == 0 ? new String(listed.stdout(), StandardCharsets.UTF_8) : "";
    for (String id : ids.split("\\s+")) {
      if (!id.isBlank()) {
        docker("rm", "--force", id);
      }
    }
    stop(dockerd.toHandle());
    removeState();
    removeEmptyCgroupParents();
  }

  /**
   * The {@code docker} cgroups the engine made in each hierarchy (cgroupfs driver), once empty: a
   * directory with a process or a child is not removed by {@code rmdir(2)}.
   */
  private static void removeEmptyCgroupParents() {
    List<Path> parents = new ArrayList<>(List.of(Path.of("/sys/fs/cgroup/docker")));
    try (var hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
      hierarchies.forEach(h -> parents.add(h.resolve("docker")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (Path parent : parents) {
      if (Files.isDirectory(parent)) {
        Commands.run(List.of("rmdir", parent.toString()));
      }
    }
  }

  private static void stop(ProcessHandle process) {
    process.destroy();
    try {
      process.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      process.destroyForcibly();
    }
  }

  /** A dockerd left by a killed run (its PID file names it and it serves our data root). */
  private static void cleanUpEarlierRun() {
    Optional<ProcessHandle> left = Optional.empty();
    try {
      if (Files.exists(PID_FILE)) {
        long pid = Long.parseLong(Files.readString(PID_FILE).strip());
        left =
            ProcessHandle.of(pid)
                .filter(
                    p ->
                        p.info()
                            .arguments()
                            .map(a -> String.join(" ", a).contains(STATE.toString()))
                            .orElse(false));
      }
    } catch (IOException | NumberFormatException e) {
      // no usable PID file: nothing of ours is running
    }
    left.ifPresent(DockerHarness::stop);
    removeState();
  }

  /**
   * Unmounts what the engine left mounted below its directories, deepest first, and deletes them.
   */
  private static void removeState() {
    try {
      List<String> mounts =
          Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
              .map(line -> line.split(" ")[4])
              .filter(point -> point.startsWith(STATE + "/") || point.startsWith(RUN + "/"))
              .sorted(Comparator.comparingInt(String::length).reversed())
              .toList();
      for (String point : mounts) {
        Commands.run(List.of("umount", "--lazy", point));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ContainerdHarness.deleteTree(RUN);
    ContainerdHarness.deleteTree(STATE);
  }
}
