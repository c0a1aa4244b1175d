package dev.lambdacntr.bench.agent;

import static dev.lambdacntr.bench.agent.BenchStats.loadAverage;
import static dev.lambdacntr.bench.agent.BenchStats.median;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lambdacntr.agent.it.Agent;
import dev.lambdacntr.agent.it.ContainerdHarness;
import dev.lambdacntr.agent.it.TestBed;
import dev.lambdacntr.agent.it.TestBedExtension;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The agent's attach latency and memory, against the harness's containerd and a real target (the
 * busybox {@code app} target of the runtime tests). Run by {@code benchmarks/agent/attach-latency};
 * not part of the test suite, and it asserts nothing about speed.
 *
 * <p>Latency: from just before the client starts the command on a terminal (util-linux {@code
 * script}, the same for every variant) to the first byte of output (the shell's prompt), median of
 * {@code bench.runs} runs, the variants interleaved so that a busy machine slows all alike. The
 * baselines, measured in the same run: {@code nsenter --all} into the target running its own
 * busybox shell (the kernel's floor for entering), and {@code ctr task exec --tty} (the runtime's
 * exec, what {@code kubectl exec} ends in on the node).
 *
 * <p>Memory: proportional set size (PSS, {@code /proc/PID/smaps_rollup}) and RSS of the agent's
 * processes while a session is open, and of the agent pod's idle process.
 */
@ExtendWith(TestBedExtension.class)
class AttachLatencyBenchmark {
  private static final int RUNS = Integer.getInteger("bench.runs", 20);

  record Variant(String name, List<String> command, Map<String, String> env) {}

  /**
   * One measurement.
   *
   * @param wallMillis start to first byte
   * @param cpuMillis CPU time (user and system, with reaped children) the client's processes had
   *     used at the first byte; clock ticks of 10 ms
   */
  record Sample(double wallMillis, double cpuMillis) {}

  @Test
  void measure(TestBed bed) throws Exception {
    String pid = Integer.toString(bed.app);
    String launcher = Agent.launcher().toString();
    List<Variant> variants = new ArrayList<>();
    variants.add(
        new Variant(
            "baseline: nsenter --all, the target's sh",
            List.of("nsenter", "--target", pid, "--all", "/bin/sh"),
            Map.of()));
    variants.add(
        new Variant(
            "baseline: ctr task exec --tty, the target's sh",
            List.of(
                "ctr",
                "-a",
                ContainerdHarness.socket().toString(),
                "-n",
                ContainerdHarness.NAMESPACE,
                "task",
                "exec",
                "--tty",
                "--exec-id",
                "EXEC_ID",
                "app",
                "/bin/sh"),
            Map.of()));
    variants.add(
        new Variant(
            "agent --fs mount (AOT cache)",
            List.of(launcher, "attach", "--fs", "mount", "--pid", pid),
            Map.of()));
    variants.add(
        new Variant(
            "agent --fs mount (no AOT cache)",
            List.of(launcher, "attach", "--fs", "mount", "--pid", pid),
            Map.of("LAMBDA_CNTR_AOT", "off")));
    if (fuseAvailable(launcher, pid)) {
      variants.add(
          new Variant(
              "agent --fs fuse (AOT cache)",
              List.of(launcher, "attach", "--fs", "fuse", "--pid", pid),
              Map.of()));
    }

    Map<String, List<Double>> millis = new LinkedHashMap<>();
    Map<String, List<Double>> cpu = new LinkedHashMap<>();
    variants.forEach(v -> millis.put(v.name(), new ArrayList<>()));
    variants.forEach(v -> cpu.put(v.name(), new ArrayList<>()));
    for (int run = -1; run < RUNS; run++) { // run -1 warms the caches up and is not counted
      for (Variant variant : variants) {
        Sample sample = firstByte(variant, "bench-" + run);
        if (run >= 0) {
          millis.get(variant.name()).add(sample.wallMillis());
          cpu.get(variant.name()).add(sample.cpuMillis());
        }
      }
    }

    StringBuilder report = new StringBuilder();
    report.append("## Agent attach latency (process start to first byte of the prompt)\n\n");
    report.append(
        String.format(
            "%d runs per variant, interleaved; load average at the end: %s%n%n",
            RUNS, loadAverage()));
    report.append(
        "| variant | median ms | min ms | max ms | vs nsenter | median CPU ms |\n"
            + "|---|---:|---:|---:|---:|---:|\n");
    double floor = median(millis.values().iterator().next());
    millis.forEach(
        (name, values) ->
            report.append(
                String.format(
                    "| %s | %.1f | %.1f | %.1f | %.2fx | %.0f |%n",
                    name,
                    median(values),
                    values.stream().mapToDouble(d -> d).min().orElse(0),
                    values.stream().mapToDouble(d -> d).max().orElse(0),
                    median(values) / floor,
                    median(cpu.get(name)))));

    report.append("\n## Agent memory\n\n| process | PSS KiB | RSS KiB |\n|---|---:|---:|\n");
    for (String backend :
        variants.stream().anyMatch(v -> v.name().contains("fuse"))
            ? List.of("mount", "fuse")
            : List.of("mount")) {
      sessionMemory(launcher, pid, backend, report);
    }
    idleMemory(report);

    Path out = Path.of(System.getProperty("bench.report", "target/bench/attach-latency.md"));
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, report);
    System.out.println(report);
    assertThat(millis.values()).allSatisfy(values -> assertThat(values).hasSize(RUNS));
  }

  private static boolean fuseAvailable(String launcher, String pid)
      throws IOException, InterruptedException {
    Process probe =
        new ProcessBuilder(launcher, "attach", "--fs", "fuse", "--pid", pid, "--", "true")
            .redirectErrorStream(true)
            .start();
    boolean done = probe.waitFor(60, TimeUnit.SECONDS);
    return done && probe.exitValue() == 0;
  }

  /** Starts the command on a terminal and returns the time to its first byte of output. */
  private static Sample firstByte(Variant variant, String execId) throws Exception {
    List<String> command =
        variant.command().stream().map(w -> w.equals("EXEC_ID") ? execId : w).toList();
    String line =
        command.stream().map(AttachLatencyBenchmark::quote).collect(Collectors.joining(" "));
    ProcessBuilder builder =
        new ProcessBuilder("script", "--quiet", "--flush", "--command", line, "/dev/null");
    builder.environment().putAll(variant.env());
    builder.redirectErrorStream(true);
    long start = System.nanoTime();
    Process client = builder.start();
    InputStream out = client.getInputStream();
    int first = out.read();
    long firstByte = System.nanoTime();
    if (first < 0) {
      throw new IllegalStateException(variant.name() + " printed nothing");
    }
    double cpuMillis = client.descendants().mapToLong(p -> cpuTicks(p.pid())).sum() * 10.0;
    try (OutputStream in = client.getOutputStream()) {
      in.write("exit\n".getBytes(StandardCharsets.US_ASCII));
      in.flush();
      out.transferTo(OutputStream.nullOutputStream());
    }
    if (!client.waitFor(30, TimeUnit.SECONDS)) {
      client.destroyForcibly();
      throw new IllegalStateException(variant.name() + " did not end after exit");
    }
    return new Sample((firstByte - start) / 1e6, cpuMillis);
  }

  /** utime + stime + cutime + cstime of a process, in clock ticks (100 per second). */
  private static long cpuTicks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // after the state: fields 4.. of stat; utime is field 14, i.e. index 11 here
      return Long.parseLong(f[11])
          + Long.parseLong(f[12])
          + Long.parseLong(f[13])
          + Long.parseLong(f[14]);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  private static void sessionMemory(
      String launcher, String pid, String backend, StringBuilder report) throws Exception {
    Process client =
        new ProcessBuilder(
                "script",
                "--quiet",
                "--flush",
                "--command",
                quote(launcher) + " attach --fs " + backend + " --pid " + pid,
                "/dev/null")
            .redirectErrorStream(true)
            .start();
    try {
      client.getInputStream().read();
      Thread.sleep(1000);
      for (ProcessHandle process : client.descendants().toList()) {
        String name =
            process.info().command().map(c -> Path.of(c).getFileName().toString()).orElse("?");
        if (name.equals("sh") || name.equals("script")) {
          continue; // script's own shell
        }
        long[] memory = memory(process.pid());
        report.append(
            String.format(
                "| session, --fs %s: %s (pid %d) | %d | %d |%n",
                backend, name, process.pid(), memory[0], memory[1]));
      }
    } finally {
      client.getOutputStream().write("exit\n".getBytes(StandardCharsets.US_ASCII));
      client.getOutputStream().flush();
      if (!client.waitFor(20, TimeUnit.SECONDS)) {
        client.destroyForcibly();
      }
    }
  }

  private static void idleMemory(StringBuilder report) throws Exception {
    Path sessions = Files.createTempDirectory("lambda-cntr-bench-sessions");
    ProcessBuilder builder =
        new ProcessBuilder(
            Agent.home().resolve("bin/lambda-cntr-agent-idle").toString(), "--idle-timeout", "60");
    builder.environment().put("LAMBDA_CNTR_SESSIONS_DIR", sessions.toString());
    Process idle = builder.redirectErrorStream(true).start();
    try {
      Thread.sleep(2500);
      long[] own = memory(idle.pid());
      long pss = own[0];
      long rss = own[1];
      for (ProcessHandle child : idle.descendants().toList()) {
        long[] m = memory(child.pid());
        pss += m[0];
        rss += m[1];
      }
      report.append(
          String.format(
              "| idle agent pod process (lambda-cntr-agent-idle and its sleep) | %d | %d |%n",
              pss, rss));
    } finally {
      idle.destroy();
      idle.waitFor(5, TimeUnit.SECONDS);
      Files.deleteIfExists(sessions);
    }
  }

  /** PSS and RSS in KiB. */
  private static long[] memory(long pid) {
    long pss = 0;
    long rss = 0;
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps_rollup"))) {
        String[] f = line.split("\\s+");
        if (f[0].equals("Pss:")) {
          pss = Long.parseLong(f[1]);
        } else if (f[0].equals("Rss:")) {
          rss = Long.parseLong(f[1]);
        }
      }
    } catch (IOException e) {
      // the process ended
    }
    return new long[] {pss, rss};
  }

  private static String quote(String word) {
    return "'" + word.replace("'", "'\\''") + "'";
  }
}
