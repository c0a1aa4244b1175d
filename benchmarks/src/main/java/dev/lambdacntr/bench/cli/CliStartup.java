package dev.lambdacntr.bench.cli;

import dev.lambdacntr.cli.Version;
import dev.lambdacntr.cli.agent.RuntimeSocket;
import dev.lambdacntr.cli.testing.MockCluster;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * CLI start-up, measured from outside as a user sees it: the distribution's launcher is spawned
 * against a mock API server (fabric8's, in this JVM) and timed from spawn to its first API request
 * and to its exit, over a warm {@code execute POD -- exit 0} (agent already running). Variants run
 * interleaved, round after round, so the machine's load hits them alike; the baseline is {@code
 * kubectl exec} into the agent pod against the same server in the same rounds.
 *
 * <pre>
 * java -cp "$(cat benchmarks/target/bench-classpath.txt):benchmarks/target/classes" \
 *   dev.lambdacntr.bench.cli.CliStartup [--runs 15] [--dist cli/target/dist] [--kubectl PATH]
 * </pre>
 */
public final class CliStartup {

  /** One way of running a command. */
  record Variant(String name, List<String> command, Map<String, String> env) {}

  /** One measured run. */
  record Sample(double firstRequestMs, double totalMs, int exit) {}

  private CliStartup() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = options(args);
    int runs = Integer.parseInt(options.getOrDefault("--runs", "15"));
    Path dist = Path.of(options.getOrDefault("--dist", "cli/target/dist")).toAbsolutePath();
    Optional<String> kubectl = kubectl(options.get("--kubectl"));
    Path work = Files.createTempDirectory("lambda-cntr-bench");
    try (MockCluster cluster = new MockCluster()) {
      cluster.addNode("node-1");
      cluster.addRunningPod("default", "demo", "node-1", "app");
      String agent =
          cluster
              .addReadyAgent(
                  "node-1",
                  Version.defaultImage(),
                  Optional.of(new RuntimeSocket("/run/containerd/containerd.sock", "containerd")))
              .getMetadata()
              .getName();
      Path kubeconfig = cluster.writeKubeconfig(work.resolve("kubeconfig"), Optional.empty());
      List<Variant> variants = variants(dist, kubeconfig, agent, kubectl, work);
      Map<String, List<Sample>> samples = new LinkedHashMap<>();
      variants.forEach(v -> samples.put(v.name(), new ArrayList<>()));
      int warmup = 2;
      for (int round = 0; round < warmup + runs; round++) {
        for (Variant v : variants) {
          Sample s = run(v, cluster);
          if (s.exit() != 0) {
            throw new IllegalStateException(v.name() + " exited " + s.exit());
          }
          if (round >= warmup) {
            samples.get(v.name()).add(s);
          }
        }
      }
      report(samples, runs, kubectl.isPresent());
    } finally {
      try (Stream<Path> files = Files.walk(work)) {
        files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
      }
    }
  }

  static List<Variant> variants(
      Path dist, Path kubeconfig, String agent, Optional<String> kubectl, Path work)
      throws IOException {
    String launcher = dist.resolve("bin/lambda-cntr").toString();
    List<String> execute =
        List.of(
            launcher, "execute", "--kubeconfig", kubeconfig.toString(), "demo", "--", "exit", "0");
    List<Variant> variants = new ArrayList<>();
    variants.add(
        new Variant(
            "lambda-cntr --version (JVM + picocli floor)",
            List.of(launcher, "--version"),
            Map.of()));
    variants.add(new Variant("lambda-cntr execute, AOT cache (shipped)", execute, Map.of()));
    variants.add(
        new Variant(
            "lambda-cntr execute, no AOT cache", execute, Map.of("LAMBDA_CNTR_NO_AOT", "1")));
    Path vertx = dist.resolve("../../../benchmarks/target/vertx-transport").normalize();
    if (Files.isDirectory(vertx)) {
      List<String> plain = vertxCommand(dist, vertx, kubeconfig, List.of());
      variants.add(new Variant("lambda-cntr execute, Vert.x 5 transport, no AOT", plain, Map.of()));
      // its own AOT cache, trained here by one warm run, for a like-for-like comparison
      Path cache = work.resolve("vertx.aot");
      train(vertxCommand(dist, vertx, kubeconfig, List.of("-XX:AOTCacheOutput=" + cache)));
      variants.add(
          new Variant(
              "lambda-cntr execute, Vert.x 5 transport, AOT cache",
              vertxCommand(dist, vertx, kubeconfig, List.of("-XX:AOTCache=" + cache)),
              Map.of()));
    }
    kubectl.ifPresent(
        k ->
            variants.add(
                new Variant(
                    "kubectl exec (baseline)",
                    List.of(
                        k,
                        "--kubeconfig",
                        kubeconfig.toString(),
                        "exec",
                        "-n",
                        "lambda-cntr",
                        agent,
                        "-c",
                        "agent",
                        "--",
                        "exit",
                        "0"),
                    Map.of("HOME", work.toString()))));
    return variants;
  }

  /** The launcher's JVM flags with the JDK transport swapped for Vert.x 5. */
  static List<String> vertxCommand(Path dist, Path vertx, Path kubeconfig, List<String> jvmOptions)
      throws IOException {
    List<String> classpath = new ArrayList<>();
    try (Stream<Path> lib = Files.list(dist.resolve("lib"))) {
      lib.filter(p -> p.toString().endsWith(".jar"))
          .filter(p -> !p.getFileName().toString().startsWith("kubernetes-httpclient-jdk"))
          .forEach(p -> classpath.add(p.toString()));
    }
    try (Stream<Path> lib = Files.list(vertx)) {
      lib.filter(p -> p.toString().endsWith(".jar")).forEach(p -> classpath.add(p.toString()));
    }
    // Vert.x core, Netty and Jackson 2 come with the mock server on this JVM's class path.
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      String name = Path.of(entry).getFileName().toString();
      if (name.startsWith("vertx-core")
          || name.startsWith("netty-")
          || name.startsWith("jackson-core-2")) {
        classpath.add(entry);
      }
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(
        List.of(
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            "-XX:-UsePerfData",
            "--enable-native-access=ALL-UNNAMED",
            "-cp",
            String.join(File.pathSeparator, classpath),
            "dev.lambdacntr.cli.Main",
            "execute",
            "--kubeconfig",
            kubeconfig.toString(),
            "demo",
            "--",
            "exit",
            "0"));
    return command;
  }

  static void train(List<String> command) throws IOException {
    try {
      Process p =
          new ProcessBuilder(command)
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("AOT training run failed: " + command);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  static Sample run(Variant v, MockCluster cluster) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(v.command());
    pb.environment().putAll(v.env());
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.redirectError(ProcessBuilder.Redirect.DISCARD);
    int before = cluster.calls().size();
    long start = System.nanoTime();
    Process p = pb.start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(v.name() + " did not finish in 60 s");
    }
    long end = System.nanoTime();
    List<MockCluster.Call> calls = cluster.calls();
    double first = calls.size() > before ? (calls.get(before).nanos() - start) / 1e6 : Double.NaN;
    return new Sample(first, (end - start) / 1e6, p.exitValue());
  }

  static void report(Map<String, List<Sample>> samples, int runs, boolean baseline) {
    double base =
        baseline
            ? median(
                samples.get("kubectl exec (baseline)").stream()
                    .mapToDouble(Sample::totalMs)
                    .toArray())
            : Double.NaN;
    System.out.printf(
        Locale.ROOT,
        "%n| variant (median of %d runs) | start to 1st API request | whole warm execute | vs kubectl exec |%n",
        runs);
    System.out.println("|---|---:|---:|---:|");
    samples.forEach(
        (name, list) -> {
          double first = median(list.stream().mapToDouble(Sample::firstRequestMs).toArray());
          double total = median(list.stream().mapToDouble(Sample::totalMs).toArray());
          System.out.printf(
              Locale.ROOT,
              "| %s | %s | %.0f ms | %s |%n",
              name,
              Double.isNaN(first) ? "-" : String.format(Locale.ROOT, "%.0f ms", first),
              total,
              Double.isNaN(base) ? "-" : String.format(Locale.ROOT, "%.2fx", total / base));
        });
  }

  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  static Optional<String> kubectl(String option) {
    if (option != null) {
      return Optional.of(option);
    }
    return Stream.of(
            System.getenv("KUBECTL"),
            "/var/cache/lambda-cntr/k8s-v1.34.4/bin/kubectl",
            "/usr/local/bin/kubectl")
        .filter(p -> p != null && Files.isExecutable(Path.of(p)))
        .findFirst();
  }

  static Map<String, String> options(String[] args) {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      options.put(args[i], args[i + 1]);
    }
    return options;
  }
}
