package dev.lambdacntr.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Standby processes (cli/README.md, "Standby") against the real cluster: a session command leaves a
 * warm process for the next invocation of the same user, directory and environment, which then runs
 * that session with the invocation's own pipes and passes its exit status back; output into a
 * regular file is run by the invocation itself; killing the invocation ends the standby's session;
 * nothing is left waiting once its socket is closed. Each test has a standby directory of its own
 * ({@code XDG_RUNTIME_DIR}), and every process it made is stopped by PID at the end.
 */
class StandbyIT {

  private static final String TARGET = "standby";
  private static final Pattern TOOK = Pattern.compile("standby process (\\d+) took the session");
  private static final Duration WAIT = Duration.ofSeconds(20);

  static TestCluster cluster;
  static E2eNamespace namespace;
  static Target target;
  static LambdaCntr base;

  Path runtimeDir;
  LambdaCntr lambdaCntr;

  @BeforeAll
  static void start() {
    cluster = TestCluster.get();
    namespace = cluster.namespace("standby");
    target = Target.busybox(cluster, namespace.name(), TARGET, cluster.firstNode());
    base =
        new LambdaCntr(cluster.settings(), namespace.name(), namespace.agentNamespace("standby"));
  }

  @AfterAll
  static void cleanUp() {
    try {
      if (target != null) {
        target.assertUnchanged();
      }
    } finally {
      if (namespace != null) {
        namespace.close();
      }
    }
  }

  @BeforeEach
  void ownDirectory() throws IOException {
    runtimeDir = Files.createTempDirectory("lambda-cntr-standby-it");
    lambdaCntr =
        base.withEnvironment(
            Map.of("LAMBDA_CNTR_STANDBY", "on", "XDG_RUNTIME_DIR", runtimeDir.toString()));
  }

  @org.junit.jupiter.api.AfterEach
  void stopEveryStandby() throws Exception {
    try {
      for (Path socket : sockets()) {
        stop(socket);
      }
      waitUntil(() -> standbyPids().isEmpty(), "the standby processes end once stopped");
    } finally {
      standbyPids().forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
      try (Stream<Path> files = Files.walk(runtimeDir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Test
  void theNextSessionRunsInTheStandbyTheLastOneLeftWithItsPipesAndStatus() throws Exception {
    LambdaCntr.Result first = lambdaCntr.execute(List.of("-q"), List.of(TARGET), "true");
    assertThat(first.exit()).as(first.toString()).isZero();
    waitUntil(() -> sockets().size() == 1, "a standby is left waiting after the first session");

    LambdaCntr.Result second =
        lambdaCntr.run(
            "from stdin\n".getBytes(StandardCharsets.UTF_8),
            lambdaCntr.session(
                "execute", List.of("-v"), List.of(TARGET), List.of("sh", "-c", "cat; exit 7")));

    assertThat(second.exit()).as(second.toString()).isEqualTo(7);
    assertThat(second.stdout()).isEqualTo("from stdin\n");
    assertThat(second.stderr()).containsPattern(TOOK.pattern());
    waitUntil(() -> sockets().size() == 1, "the standby that served leaves its successor");
  }

  @Test
  void outputIntoARegularFileIsRunByTheInvocationItself() throws Exception {
    assertThat(lambdaCntr.execute(List.of("-q"), List.of(TARGET), "true").exit()).isZero();
    waitUntil(() -> sockets().size() == 1, "a standby is left waiting");
    Path out = runtimeDir.resolve("out.txt");
    Path err = runtimeDir.resolve("err.txt");
    ProcessBuilder builder =
        new ProcessBuilder(
                lambdaCntr.command(
                    lambdaCntr.session(
                        "execute", List.of("-v"), List.of(TARGET), List.of("echo", "into a file"))))
            .redirectInput(new java.io.File("/dev/null"))
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    builder.environment().putAll(lambdaCntr.environment());
    Process p = builder.start();
    assertThat(p.waitFor(3, TimeUnit.MINUTES)).isTrue();

    assertThat(p.exitValue()).as(Files.readString(err)).isZero();
    assertThat(Files.readString(out)).isEqualTo("into a file\n");
    assertThat(Files.readString(err)).doesNotContainPattern(TOOK.pattern());
  }

  @Test
  void killingTheInvocationEndsTheStandbysSession() throws Exception {
    try (Running running = sleepInStandby()) {
      running.invocation.destroyForcibly(); // SIGKILL: nothing passed on, only the connection ends
      assertThat(running.invocation.waitFor(30, TimeUnit.SECONDS)).isTrue();
      waitUntil(() -> !alive(running.standby), "the standby " + running.standby + " ends with it");
    }
  }

  @Test
  void anInterruptOfTheInvocationInterruptsTheSession() throws Exception {
    try (Running running = sleepInStandby()) {
      Process kill = new ProcessBuilder("kill", "-INT", "" + running.invocation.pid()).start();
      assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(running.invocation.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(running.invocation.exitValue()).isEqualTo(130); // 128 + SIGINT, as without one
      waitUntil(() -> !alive(running.standby), "the standby " + running.standby + " ends");
    }
  }

  @Test
  void aStandbyKilledMidSessionLeavesTheInvocationWithSessionLost() throws Exception {
    try (Running running = sleepInStandby()) {
      ProcessHandle.of(running.standby).orElseThrow().destroyForcibly();
      assertThat(running.invocation.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(running.invocation.exitValue()).isEqualTo(76);
      assertThat(running.rest()).contains("ended without an exit status");
    }
  }

  @Test
  void aStandbyKilledWhileWaitingIsReplacedByTheNextInvocation() throws Exception {
    assertThat(lambdaCntr.execute(List.of("-q"), List.of(TARGET), "true").exit()).isZero();
    // its socket first: a standby killed before it has put its socket in place leaves none (the
    // CI run of 6337d72 killed one that early)
    waitUntil(
        () -> sockets().size() == 1 && standbyPids().size() == 1, "a standby is left waiting");
    long killed = standbyPids().getFirst();
    ProcessHandle.of(killed).orElseThrow().destroyForcibly();
    waitUntil(() -> !alive(killed), "the standby is gone");
    assertThat(sockets()).as("its socket is left behind").hasSize(1);

    LambdaCntr.Result r =
        lambdaCntr.run(
            new byte[0],
            lambdaCntr.session("execute", List.of("-v"), List.of(TARGET), List.of("true")));

    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.stderr()).doesNotContainPattern(TOOK.pattern());
    waitUntil(
        () -> standbyPids().size() == 1 && !standbyPids().contains(killed) && sockets().size() == 1,
        "a new standby waits at the socket");
  }

  /** An invocation of {@code sleep 300} that a standby took, once its session is open. */
  private Running sleepInStandby() throws Exception {
    assertThat(lambdaCntr.execute(List.of("-q"), List.of(TARGET), "true").exit()).isZero();
    waitUntil(() -> sockets().size() == 1, "a standby is left waiting");
    ProcessBuilder builder =
        new ProcessBuilder(
            lambdaCntr.command(
                lambdaCntr.session(
                    "execute", List.of("-v"), List.of(TARGET), List.of("sleep", "300"))));
    builder.environment().putAll(lambdaCntr.environment());
    Process invocation = builder.start();
    BufferedReader err =
        new BufferedReader(
            new InputStreamReader(invocation.getErrorStream(), StandardCharsets.UTF_8));
    long standby = -1;
    for (String line = err.readLine(); line != null; line = err.readLine()) {
      Matcher m = TOOK.matcher(line);
      if (m.find()) {
        standby = Long.parseLong(m.group(1));
      }
      if (line.contains("exec session open")) {
        break;
      }
    }
    assertThat(standby).as("the standby's PID in -v").isPositive();
    return new Running(invocation, standby, err);
  }

  /** An invocation in a standby's session; closing it kills what is left of both. */
  private record Running(Process invocation, long standby, BufferedReader stderr)
      implements AutoCloseable {
    String rest() throws IOException {
      StringBuilder text = new StringBuilder();
      for (String line = stderr.readLine(); line != null; line = stderr.readLine()) {
        text.append(line).append('\n');
      }
      return text.toString();
    }

    @Override
    public void close() throws IOException {
      invocation.destroyForcibly();
      ProcessHandle.of(standby).ifPresent(ProcessHandle::destroyForcibly);
      stderr.close();
    }
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  private List<Path> sockets() throws IOException {
    Path dir = runtimeDir.resolve("lambda-cntr");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(".sock")).toList();
    }
  }

  /** A standby that gets a connection with no request ends without a successor. */
  private static void stop(Path socket) {
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      channel.connect(UnixDomainSocketAddress.of(socket));
    } catch (IOException e) {
      // gone already
    }
  }

  /** The processes whose environment names this test's standby directory: its standbys. */
  private List<Long> standbyPids() {
    String marker = "XDG_RUNTIME_DIR=" + runtimeDir;
    List<Long> pids = new ArrayList<>();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
        try {
          String environ = Files.readString(proc.resolve("environ"), StandardCharsets.ISO_8859_1);
          String cmdline = Files.readString(proc.resolve("cmdline"), StandardCharsets.ISO_8859_1);
          if (cmdline.contains("StandbyProcess") && List.of(environ.split("\0")).contains(marker)) {
            pids.add(Long.parseLong(proc.getFileName().toString()));
          }
        } catch (IOException e) {
          // ended meanwhile
        }
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return pids;
  }

  private interface Check {
    boolean holds() throws Exception;
  }

  private static void waitUntil(Check check, String what) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!check.holds()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + WAIT.toSeconds() + " s: " + what);
      }
      Thread.sleep(100);
    }
  }
}
