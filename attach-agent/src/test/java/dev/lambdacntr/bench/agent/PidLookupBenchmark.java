package dev.lambdacntr.bench.agent;

import static dev.lambdacntr.bench.agent.BenchStats.loadAverage;
import static dev.lambdacntr.bench.agent.BenchStats.median;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lambdacntr.agent.it.Agent;
import dev.lambdacntr.agent.it.Commands;
import dev.lambdacntr.agent.it.TargetImages;
import dev.lambdacntr.agent.it.TestBed;
import dev.lambdacntr.agent.it.TestBedExtension;
import dev.lambdacntr.agent.target.CgroupTree;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Container ID to PID through the cgroup tree ({@code CgroupTree}), on a target laid out the way a
 * kubelet lays out a pod's container ({@code .../pod<UID>/<64 hex ID>}): with the machine's own
 * processes and cgroups, with {@value #EXTRA} more idle processes, and with {@value #PODS} more
 * pods of two containers each beside the target's and {@value #SERVICES} service cgroups (what a
 * busy node adds to the walk). Run by {@code benchmarks/agent/pid-lookup}; not part of the test
 * suite, and it asserts nothing about speed.
 *
 * <p>Per condition, {@code bench.runs} runs of each variant, interleaved (a busy machine slows all
 * alike), the first round not counted:
 *
 * <ul>
 *   <li>the agent as the CLI runs it ({@code lambda-cntr-agent attach --pod-uid UID ID -- true}, a
 *       new JVM with the AOT cache): the time from its trace step before the look-up ({@code
 *       backend ...}) to the one after it ({@code pid N via ...}): the look-up's cost in the agent,
 *       class loading and a mostly interpreted JVM included;
 *   <li>the look-up called again and again inside this (warm, JIT-compiled) JVM.
 * </ul>
 */
@ExtendWith(TestBedExtension.class)
class PidLookupBenchmark {
  private static final int RUNS = Integer.getInteger("bench.runs", 21);
  private static final int EXTRA = Integer.getInteger("bench.processes", 5000);
  private static final int PODS = 300;
  private static final int SERVICES = 300;
  private static final String POD_UID = "3f7c1a52-9b4e-4d0a-8e6f-2c5b7d9e0a14";
  private static final String ID =
      "b1e5f0c2d3a4958677e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0";

  /**
   * Below every cgroup hierarchy's root, as a kubelet with the cgroupfs driver names it; removed at
   * the end (rmdir: a kubelet's own, not empty, would stay).
   */
  private static final String CGROUP_PARENT = "kubepods";

  private static final String CGROUP = "/" + CGROUP_PARENT + "/besteffort/pod" + POD_UID + "/" + ID;

  @Test
  void measure(TestBed bed) throws Exception {
    int pid;
    try {
      pid =
          bed.containerd.run(
              ID, TargetImages.BUSYBOX + ":" + TargetImages.TAG, List.of("--cgroup", CGROUP));
      String report = measureAll(pid);
      Path out = Path.of(System.getProperty("bench.report", "target/bench/pid-lookup.md"));
      Files.createDirectories(out.toAbsolutePath().getParent());
      Files.writeString(out, report);
      System.out.println(report);
    } finally {
      bed.containerd.remove(ID);
      removeCgroups();
    }
  }

  private static String measureAll(int pid) throws Exception {
    Map<String, Supplier<Double>> variants = new LinkedHashMap<>();
    String launcher = Agent.launcher().toString();
    variants.put(
        "agent: cgroup tree",
        () -> inAgent(List.of(launcher, "attach", "--pod-uid", POD_UID, ID, "--", "true"), pid));
    CgroupTree tree = CgroupTree.onThisHost(Optional.of(POD_UID));
    variants.put("warm JVM: cgroup tree", () -> inProcess(tree, pid));

    StringBuilder report = new StringBuilder();
    report.append("## Container ID to PID\n\n");
    report.append(
        String.format(
            "%d runs per variant and condition, interleaved; %d CPUs; kernel %s%n%n",
            RUNS, Runtime.getRuntime().availableProcessors(), System.getProperty("os.version")));
    report.append(
        "agent: its trace steps around the look-up (a new JVM with the AOT cache, as the CLI runs"
            + " it); warm JVM: the look-up called in the benchmark's JVM.\n\n");
    report.append(
        "| condition | processes | cgroups | variant | median ms | min ms | max ms |\n"
            + "|---|---:|---:|---|---:|---:|---:|\n");
    measure("machine's own", variants, report);
    try (Sleepers sleepers = Sleepers.start(EXTRA)) {
      measure("+" + sleepers.count() + " idle processes", variants, report);
    }
    try (BusyNode node = BusyNode.create()) {
      measure("+" + PODS + " pods, +" + SERVICES + " services", variants, report);
    }
    report.append(String.format("%nload average at the end: %s%n", loadAverage()));
    return report.toString();
  }

  private static void measure(
      String condition, Map<String, Supplier<Double>> variants, StringBuilder report) {
    Map<String, List<Double>> millis = new LinkedHashMap<>();
    variants.keySet().forEach(name -> millis.put(name, new ArrayList<>()));
    for (int run = -1; run < RUNS; run++) { // run -1 warms the caches up and is not counted
      for (Map.Entry<String, Supplier<Double>> variant : variants.entrySet()) {
        double ms = variant.getValue().get();
        if (run >= 0) {
          millis.get(variant.getKey()).add(ms);
        }
      }
    }
    int processes = count(Path.of("/proc"), false);
    int cgroups = count(v2Root(), true);
    millis.forEach(
        (name, values) ->
            report.append(
                String.format(
                    "| %s | %d | %d | %s | %.1f | %.1f | %.1f |%n",
                    condition,
                    processes,
                    cgroups,
                    name,
                    median(values),
                    values.stream().mapToDouble(d -> d).min().orElse(0),
                    values.stream().mapToDouble(d -> d).max().orElse(0))));
    assertThat(millis.values()).allSatisfy(values -> assertThat(values).hasSize(RUNS));
  }

  /** Runs the agent with step timings; the milliseconds between the steps around the look-up. */
  private static double inAgent(List<String> command, int pid) {
    Map<String, String> env = Map.of("LAMBDA_CNTR_TRACE", "1");
    Commands.Result result = Commands.run(command, env, new byte[0], Duration.ofSeconds(60));
    if (result.exit() != 0) {
      throw new IllegalStateException("agent exited " + result.exit() + ": " + result.err());
    }
    double before = Double.NaN;
    double after = Double.NaN;
    for (String line : result.err().split("\n")) {
      // lambda-cntr-agent: 12.3 ms STEP
      String[] words = line.split(" ", 4);
      if (words.length < 4 || !words[0].equals("lambda-cntr-agent:")) {
        continue;
      }
      if (words[3].startsWith("backend ")) {
        before = Double.parseDouble(words[1]);
      } else if (words[3].startsWith("pid " + pid + " via ")) {
        after = Double.parseDouble(words[1]);
      }
    }
    if (Double.isNaN(before) || Double.isNaN(after)) {
      throw new IllegalStateException("no look-up steps for pid " + pid + " in:\n" + result.err());
    }
    return after - before;
  }

  private static double inProcess(CgroupTree tree, int pid) {
    long start = System.nanoTime();
    CgroupTree.Lookup lookup = tree.find(ID);
    long end = System.nanoTime();
    if (lookup.pid().orElse(-1) != pid) {
      throw new IllegalStateException("the cgroup tree found " + lookup);
    }
    return (end - start) / 1e6;
  }

  /** The cgroup v2 hierarchy: the whole of /sys/fs/cgroup, or its unified part on a hybrid host. */
  private static Path v2Root() {
    Path fs = Path.of("/sys/fs/cgroup");
    return Files.exists(fs.resolve("cgroup.controllers")) ? fs : fs.resolve("unified");
  }

  /**
   * What a busy node adds to the walk, in the v2 hierarchy (searched first): {@value #PODS} other
   * pods of two containers each beside the target's pod (the walk lists them, enters none), and
   * {@value #SERVICES} cgroups outside pods (each entered and listed). Removed on close.
   */
  private record BusyNode(List<Path> dirs) implements AutoCloseable {
    static BusyNode create() throws IOException {
      BusyNode node = new BusyNode(new ArrayList<>());
      Path root = v2Root();
      try {
        for (int i = 0; i < PODS; i++) {
          Path pod =
              root.resolve(
                  CGROUP_PARENT
                      + "/burstable/pod"
                      + String.format("%08x-0000-4000-8000-%012x", i, i));
          for (int c = 0; c < 2; c++) {
            node.make(pod.resolve(String.format("%064x", i * 2L + c)));
          }
        }
        for (int i = 0; i < SERVICES; i++) {
          node.make(root.resolve("lambda-cntr-bench.slice/unit-" + i + ".service"));
        }
        return node;
      } catch (IOException | RuntimeException e) {
        node.close();
        throw e;
      }
    }

    private void make(Path dir) throws IOException {
      List<Path> parents = new ArrayList<>();
      for (Path d = dir.getParent(); !Files.exists(d); d = d.getParent()) {
        parents.add(0, d);
      }
      for (Path parent : parents) {
        Files.createDirectory(parent);
        dirs.add(parent);
      }
      Files.createDirectory(dir);
      dirs.add(dir);
    }

    /** rmdir, deepest first. */
    @Override
    public void close() {
      List<Path> all = new ArrayList<>(dirs);
      all.sort(Comparator.comparingInt(Path::getNameCount).reversed());
      for (Path dir : all) {
        try {
          Files.deleteIfExists(dir);
        } catch (IOException e) {
          System.err.println("cannot remove the cgroup " + dir + ": " + e);
        }
      }
    }
  }

  /** Compiles {@code /bench/NAME.c} of the test resources into {@code target/bench/NAME}. */
  private static Path compile(String name) {
    try {
      Path work = Files.createDirectories(Path.of("target/bench"));
      Path source = work.resolve(name + ".c");
      try (InputStream in = PidLookupBenchmark.class.getResourceAsStream("/bench/" + name + ".c")) {
        Files.copy(in, source, StandardCopyOption.REPLACE_EXISTING);
      }
      Path binary = work.resolve(name);
      Commands.check(
          "gcc", "-static", "-O2", "-Wall", "-Werror", "-o", binary.toString(), source.toString());
      return binary;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The sleepers program: {@value #EXTRA} children that wait to be killed. */
  private record Sleepers(Process parent, List<Long> children) implements AutoCloseable {
    static Sleepers start(int count) throws IOException {
      Path binary = compile("sleepers");
      Process parent =
          new ProcessBuilder(binary.toString(), Integer.toString(count))
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
      List<Long> children = new ArrayList<>();
      Sleepers sleepers = new Sleepers(parent, children);
      try {
        BufferedReader lines =
            new BufferedReader(
                new InputStreamReader(parent.getInputStream(), StandardCharsets.US_ASCII));
        String line;
        while ((line = lines.readLine()) != null && !line.equals("ready")) {
          children.add(Long.parseLong(line));
        }
        if (children.size() != count) {
          throw new IllegalStateException(
              "sleepers started " + children.size() + " of " + count + " processes");
        }
        return sleepers;
      } catch (IOException | RuntimeException e) {
        sleepers.close();
        throw e;
      }
    }

    int count() {
      return children.size();
    }

    /**
     * Kills every child by PID (not yet reaped by their parent, so no PID is reused), then ends the
     * parent, which reaps them.
     */
    @Override
    public void close() {
      for (long child : children) {
        ProcessHandle.of(child).ifPresent(ProcessHandle::destroyForcibly);
      }
      try {
        parent.getOutputStream().close();
        if (!parent.waitFor(30, TimeUnit.SECONDS)) {
          parent.destroyForcibly();
          parent.waitFor(30, TimeUnit.SECONDS);
        }
      } catch (IOException | InterruptedException e) {
        parent.destroyForcibly();
      }
    }
  }

  /** Removes the target's parent cgroups (runc removed the target's own) in every hierarchy. */
  private static void removeCgroups() throws IOException {
    List<Path> roots = new ArrayList<>();
    Path fs = Path.of("/sys/fs/cgroup");
    roots.add(fs);
    try (DirectoryStream<Path> hierarchies = Files.newDirectoryStream(fs)) {
      hierarchies.forEach(roots::add);
    }
    for (Path root : roots) {
      Path pod = root.resolve(CGROUP.substring(1)).getParent();
      for (Path dir = pod; dir != null && dir.startsWith(root.resolve(CGROUP_PARENT)); ) {
        try {
          Files.deleteIfExists(dir); // rmdir: fails while a cgroup is not empty
        } catch (IOException e) {
          System.err.println("cannot remove the cgroup " + dir + ": " + e);
        }
        dir = dir.getParent();
      }
    }
  }

  /** The processes in /proc, or the cgroups (directories) below a hierarchy's root. */
  private static int count(Path dir, boolean cgroups) {
    if (!cgroups) {
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "[0-9]*")) {
        int count = 0;
        for (Path ignored : entries) {
          count++;
        }
        return count;
      } catch (IOException e) {
        return -1;
      }
    }
    try (var tree = Files.walk(dir)) {
      return (int) tree.filter(Files::isDirectory).count() - 1;
    } catch (IOException | UncheckedIOException e) {
      return -1;
    }
  }
}
