package dev.lambdacntr.nodeagent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lambdacntr.agent.it.Commands;
import dev.lambdacntr.agent.it.TargetImages;
import dev.lambdacntr.agent.it.TestBed;
import dev.lambdacntr.agent.it.TestBedExtension;
import dev.lambdacntr.protocol.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The node agent as the gateway uses it: started with a test CA, sessions over mutual TLS and
 * {@code v5.channel.k8s.io} into a real container (containerd + runc) laid out as a kubelet lays
 * out a pod's; and no session at all for a client without a certificate of that CA.
 */
@ExtendWith(TestBedExtension.class)
class NodeAgentIT {
  private static final String POD_UID = "5e1f0a2b-3c4d-4e5f-8a6b-7c8d9e0f1a2b";
  private static final String OTHER_POD_UID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
  private static final String CONTAINER = "c3".repeat(32);
  private static final String PODS = "lambda-cntr-node-agent-it-pods";
  private static final String CGROUP =
      "/" + PODS + "/kubepods/besteffort/pod" + POD_UID + "/" + CONTAINER;

  static TestBed bed;

  /** How long the agent keeps its shared cntrfs mount after the last fuse session. */
  static final Duration FUSE_IDLE = Duration.ofSeconds(3);

  static int targetPid;
  static TestCertificates certs;
  static Process agent;
  static Path agentLog;
  static int port;

  @BeforeAll
  static void start(TestBed testBed) throws Exception {
    bed = testBed;
    targetPid =
        bed.containerd.run(
            CONTAINER, TargetImages.BUSYBOX + ":" + TargetImages.TAG, List.of("--cgroup", CGROUP));
    // where the target's user (1000) can leave a mark: the image's /tmp is root's
    Commands.check("chmod", "1777", "/proc/" + targetPid + "/root/tmp");
    certs = TestCertificates.create(Files.createTempDirectory("node-agent-it-certs"));
    agentLog = certs.dir().resolve("node-agent.log");
    agent =
        new ProcessBuilder(
                home().resolve("bin/lambda-cntr-node-agent").toString(),
                "--listen",
                "127.0.0.1:0",
                "--cert",
                certs.cert("server").toString(),
                "--key",
                certs.key("server").toString(),
                "--client-ca",
                certs.cert("ca").toString(),
                "--fuse-idle",
                Long.toString(FUSE_IDLE.toSeconds()))
            .redirectErrorStream(true)
            .redirectOutput(agentLog.toFile())
            .start();
    port = awaitPort();
  }

  @AfterAll
  static void stop() throws IOException {
    if (agent != null) {
      agent.destroy();
      try {
        agent.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      agent.destroyForcibly();
    }
    if (bed != null) {
      bed.containerd.remove(CONTAINER);
      // the container's parents, in v2 or in each v1 hierarchy (runc removed the container's own)
      List<Path> roots = new ArrayList<>(List.of(Path.of("/sys/fs/cgroup")));
      try (var hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
        hierarchies.filter(Files::isDirectory).forEach(roots::add);
      }
      for (Path root : roots) {
        Path dir = root.resolve(CGROUP.substring(1)).getParent();
        while (dir != null && dir.startsWith(root.resolve(PODS))) {
          Files.deleteIfExists(dir);
          dir = dir.getParent();
        }
      }
    }
    if (certs != null) {
      try (var files = Files.list(certs.dir())) {
        for (Path file : files.toList()) {
          Files.delete(file);
        }
      }
      Files.delete(certs.dir());
    }
  }

  private static Path home() {
    String root = System.getenv("LAMBDA_CNTR_ROOT");
    Path base = root != null ? Path.of(root) : Path.of("").toAbsolutePath().getParent();
    return base.resolve("node-agent/target/agent-dist");
  }

  private static int awaitPort() throws Exception {
    Pattern listening = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      Matcher m = listening.matcher(log());
      if (m.find()) {
        return Integer.parseInt(m.group(1));
      }
      if (!agent.isAlive()) {
        throw new AssertionError("the node agent exited " + agent.exitValue() + ":\n" + log());
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the node agent did not listen within 30 s:\n" + log());
  }

  private static String log() throws IOException {
    return Files.readString(agentLog);
  }

  private static SessionClient gateway() {
    return new SessionClient(
        port,
        Optional.of(new Path[] {certs.cert("client"), certs.key("client")}),
        certs.cert("ca"));
  }

  private static String query(String pod, boolean tty, String... command) {
    return fsQuery(pod, tty, "auto", command);
  }

  private static String fsQuery(String pod, boolean tty, String fs, String... command) {
    StringBuilder q =
        new StringBuilder(
            "containerId=" + CONTAINER + "&podUid=" + pod + "&tty=" + tty + "&fs=" + fs);
    for (String arg : command) {
      q.append("&command=")
          .append(java.net.URLEncoder.encode(arg, java.nio.charset.StandardCharsets.UTF_8));
    }
    return q.toString();
  }

  private static Optional<String> exitCode(String status) {
    Object root = Json.parse(status);
    if (Json.string(root, "status").orElseThrow().equals("Success")) {
      return Optional.of("0");
    }
    assertThat(Json.string(root, "reason")).contains("NonZeroExitCode");
    Object cause = Json.array(root, "details", "causes").get(0);
    assertThat(Json.string(cause, "reason")).contains("ExitCode");
    return Json.string(cause, "message");
  }

  /**
   * The distribution's build trains the node agent's AOT cache, and the launcher maps it; BoringSSL
   * is loaded from the distribution, not copied into /tmp (memory in the node agent's pod). A
   * training run that failed in the build, or a cache the launcher finds stale, fails here.
   */
  @Test
  void theNodeAgentMapsItsAotCacheAndLoadsBoringSslFromTheDistribution() throws IOException {
    List<String> mapped =
        Files.readAllLines(Path.of("/proc", Long.toString(agent.pid()), "maps")).stream()
            .map(line -> line.replaceFirst("^(\\S+\\s+){5}", "").strip())
            .filter(path -> path.startsWith("/"))
            .distinct()
            .toList();
    Path lib = home().toRealPath().resolve("lib");
    assertThat(mapped)
        .contains(lib.resolve("lambda-cntr-node-agent.aot").toString())
        .anyMatch(
            path -> path.startsWith(lib.resolve("node-agent/native/libnetty_tcnative").toString()))
        .noneMatch(path -> path.contains("libnetty_tcnative") && path.startsWith("/tmp/"));
  }

  @Test
  void aCommandsOutputAndExitStatusComeBackOnTheirChannels() {
    try (SessionClient gateway = gateway()) {
      SessionClient.Outcome outcome =
          gateway
              .open(
                  query(
                      POD_UID,
                      false,
                      "sh",
                      "-c",
                      "cat /var/lib/cntr/etc/hostname >/dev/null; echo out; echo err >&2;"
                          + " cat /proc/1/cmdline; exit 3"))
              .awaitEnd();
      assertThat(outcome.stdout()).startsWith("out\n/bin/sleep");
      assertThat(outcome.stderr()).isEqualTo("err\n");
      assertThat(exitCode(outcome.status())).contains("3");
    }
  }

  @Test
  void theEndOfStdinReachesTheCommand() {
    try (SessionClient gateway = gateway()) {
      SessionClient.Session session = gateway.open(query(POD_UID, false, "wc", "-c"));
      session.send(0, "hello ");
      session.send(0, "world");
      session.endInput();
      SessionClient.Outcome outcome = session.awaitEnd();
      assertThat(outcome.stdout().strip()).isEqualTo("11");
      assertThat(exitCode(outcome.status())).contains("0");
    }
  }

  @Test
  void aTerminalSessionHasTheClientsWindowSize() {
    try (SessionClient gateway = gateway()) {
      SessionClient.Session session = gateway.open(query(POD_UID, true, "sh"));
      session.send(4, "{\"Width\":123,\"Height\":45}");
      session.send(0, "stty size; tty; exit 7\n");
      SessionClient.Outcome outcome = session.awaitEnd();
      assertThat(outcome.stdout()).contains("45 123").contains("/dev/pts/");
      assertThat(exitCode(outcome.status())).contains("7");
    }
  }

  @Test
  void sessionsRunAtTheSameTimeInOneAgent() {
    try (SessionClient gateway = gateway()) {
      List<SessionClient.Session> sessions = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        sessions.add(gateway.open(query(POD_UID, false, "sh", "-c", "sleep 1; echo done-" + 0)));
      }
      long start = System.nanoTime();
      for (SessionClient.Session session : sessions) {
        SessionClient.Outcome outcome = session.awaitEnd();
        assertThat(outcome.stdout()).as(outcome.stderr()).isEqualTo("done-0\n");
      }
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    }
  }

  @Test
  void aContainerOfAnotherPodIsNotEntered() {
    try (SessionClient gateway = gateway()) {
      SessionClient.Outcome outcome = gateway.open(query(OTHER_POD_UID, false, "true")).awaitEnd();
      assertThat(exitCode(outcome.status())).contains("121");
      assertThat(outcome.stderr())
          .contains("lambda-cntr: cannot find a running process of container " + CONTAINER)
          .contains("below pod " + OTHER_POD_UID);
      assertThat(outcome.stdout()).isEmpty();
    }
  }

  @Test
  void aBadRequestEndsWithTheAgentsUsageStatus() {
    try (SessionClient gateway = gateway()) {
      SessionClient.Outcome outcome =
          gateway.open("containerId=" + CONTAINER + "&tty=true").awaitEnd();
      assertThat(exitCode(outcome.status())).contains("120");
      assertThat(outcome.stderr()).contains("parameter 'podUid' is missing");
    }
  }

  @Test
  void clientsWithoutACertificateOfTheClientCaStartNothing() throws IOException {
    Path marker =
        Path.of("/proc", Integer.toString(targetPid), "root", "tmp", "refused-session-ran");
    String command = "touch /var/lib/cntr/tmp/refused-session-ran";
    String logBefore = log();
    List<SessionClient> refused =
        List.of(
            new SessionClient(port, Optional.empty(), certs.cert("ca")),
            new SessionClient(
                port,
                Optional.of(new Path[] {certs.cert("self-signed"), certs.key("self-signed")}),
                certs.cert("ca")),
            new SessionClient(
                port,
                Optional.of(new Path[] {certs.cert("other-client"), certs.key("other-client")}),
                certs.cert("ca")));
    for (SessionClient client : refused) {
      try (client) {
        assertThatThrownBy(
                () ->
                    SessionClient.await(client.connect(query(POD_UID, false, "sh", "-c", command))))
            .isInstanceOf(AssertionError.class);
      }
    }
    assertThat(marker).doesNotExist();
    assertThat(log().substring(logBefore.length())).doesNotContain("session");
    // and the one with the right certificate does run it, so the test can fail
    try (SessionClient gateway = gateway()) {
      SessionClient.Outcome outcome =
          gateway.open(query(POD_UID, false, "sh", "-c", command)).awaitEnd();
      assertThat(exitCode(outcome.status())).as(outcome.stderr()).contains("0");
      assertThat(marker).exists();
      Files.delete(marker);
    }
  }

  @Test
  void theFuseBackendIsServedByTheResidentJvm() {
    SessionClient.Outcome outcome =
        fuseSession(
            "awk '$5 == \"/\"' /proc/self/mountinfo | grep -q fuse && echo tools-over-fuse;"
                + " cat /proc/1/cmdline");
    assertThat(outcome.stdout()).startsWith("tools-over-fuse\n/bin/sleep");
  }

  /** A session with the fuse backend that runs {@code sh -c script} and must exit with 0. */
  private static SessionClient.Outcome fuseSession(String script) {
    try (SessionClient gateway = gateway()) {
      SessionClient.Outcome outcome =
          gateway.open(fsQuery(POD_UID, false, "fuse", "sh", "-c", script)).awaitEnd();
      assertThat(exitCode(outcome.status())).as(outcome.stderr()).contains("0");
      return outcome;
    }
  }

  /**
   * Sessions with the fuse backend share one cntrfs mount, so that the kernel's caches of the tools
   * root outlive a session: a session opened while another holds its mount sees the same file
   * system (its device; servers of their own would be two). A connection that ended (aborted here
   * through the kernel's fusectl) is replaced by the next session, which works.
   */
  @Test
  void fuseSessionsShareOneCntrfsMountAndAnEndedOneIsReplaced() throws Exception {
    String first;
    try (SessionClient holder = gateway()) {
      SessionClient.Session held =
          holder.open(fsQuery(POD_UID, false, "fuse", "sh", "-c", "stat -c %d /; sleep 300"));
      awaitTrue(() -> held.stdoutSoFar().matches("[0-9]+\n"), "the first session's device");
      first = held.stdoutSoFar().strip();
      assertThat(toolsRootDevice())
          .as("the tools root's device in a session opened beside the first")
          .isEqualTo(first);
      SessionClient.await(held.socket.close());
    }
    abortFuseConnection(first);
    SessionClient.Outcome listing = fuseSession("ls /usr/bin | wc -l");
    assertThat(Integer.parseInt(listing.stdout().strip()))
        .as("names in /usr/bin through the replaced mount")
        .isPositive();
  }

  /**
   * The shared mount holds memory (threads, a descriptor per inode), so the agent lets it go once
   * no session has used it for --fuse-idle: its /dev/fuse descriptors are closed.
   */
  @Test
  void theSharedMountIsLetGoWhenNoSessionUsedItForFuseIdle() throws Exception {
    fuseSession("true");
    assertThat(fuseDescriptors())
        .as("/dev/fuse descriptors of the agent after a session")
        .isPositive();
    long ended = System.nanoTime();
    awaitTrue(() -> fuseDescriptors() == 0, "the agent to let the shared cntrfs mount go");
    assertThat(Duration.ofNanos(System.nanoTime() - ended))
        .as("time until the mount was let go")
        .isGreaterThanOrEqualTo(FUSE_IDLE.minusMillis(500));
  }

  private static long fuseDescriptors() throws IOException {
    long count = 0;
    try (var fds = Files.list(Path.of("/proc", Long.toString(agent.pid()), "fd"))) {
      for (Path fd : fds.toList()) {
        try {
          if (Files.readSymbolicLink(fd).toString().equals("/dev/fuse")) {
            count++;
          }
        } catch (IOException closedMeanwhile) {
          // not a descriptor any more
        }
      }
    }
    return count;
  }

  /**
   * Aborts the FUSE connection of a file system by its device number, through fusectl (mounted for
   * the call when the machine has not mounted it, and unmounted again).
   */
  private static void abortFuseConnection(String device) throws IOException {
    Path connections = Path.of("/sys/fs/fuse/connections");
    boolean mounted =
        Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
            .anyMatch(line -> line.split(" ")[4].equals(connections.toString()));
    if (!mounted) {
      Commands.check("mount", "-t", "fusectl", "fusectl", connections.toString());
    }
    try {
      // stat(1) prints glibc's dev_t; fusectl names a connection by the kernel's (major << 20 |
      // minor)
      long dev = Long.parseLong(device);
      long major = ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
      long minor = (dev & 0xff) | ((dev >>> 12) & ~0xffL);
      String connection = Long.toString((major << 20) | minor);
      Files.writeString(connections.resolve(connection).resolve("abort"), "1");
    } finally {
      if (!mounted) {
        Commands.check("umount", connections.toString());
      }
    }
  }

  /** The device of {@code /} (the tools root, over FUSE) in a new fuse session. */
  private static String toolsRootDevice() {
    SessionClient.Outcome outcome =
        fuseSession("awk '$5 == \"/\"' /proc/self/mountinfo | grep -q fuse && stat -c %d /");
    assertThat(outcome.stdout()).as(outcome.stderr()).matches("[0-9]+\n");
    return outcome.stdout().strip();
  }

  @Test
  void aSessionEndsWithEveryProcessWhenItsClientGoes() throws Exception {
    Path procs =
        java.util.stream.Stream.of("/sys/fs/cgroup", "/sys/fs/cgroup/pids")
            .map(root -> Path.of(root + CGROUP, "cgroup.procs"))
            .filter(Files::exists)
            .findFirst()
            .orElseThrow(() -> new AssertionError("no cgroup.procs of " + CGROUP));
    try (SessionClient gateway = gateway()) {
      SessionClient.Session session =
          gateway.open(query(POD_UID, false, "sh", "-c", "echo started; sleep 300"));
      awaitTrue(() -> session.stdoutSoFar().contains("started"), "the session to start");
      assertThat(Files.readAllLines(procs))
          .as("the target's cgroup with the session")
          .hasSizeGreaterThan(1);
      SessionClient.await(session.socket.close());
      awaitTrue(
          () -> Files.readAllLines(procs).size() == 1,
          "only the target's own process in its cgroup");
      awaitTrue(() -> log().contains("its client gone"), "the node agent to log the client's end");
    }
  }

  /**
   * What an open session costs: the resident JVM's growth (threads, buffers) and the helper's
   * processes (helper, keeper, guard: static C). Printed for the record; the JVM's growth is
   * bounded so that a per-session JVM-sized cost fails.
   */
  @Test
  void anOpenSessionCostsNoJvm() throws Exception {
    long pid = agent.pid();
    try (SessionClient gateway = gateway()) {
      long[] millis = new long[7]; // the first warms classes and JIT
      for (int i = 0; i < millis.length; i++) {
        long start = System.nanoTime();
        gateway.open(query(POD_UID, false, "true")).awaitEnd();
        millis[i] = (System.nanoTime() - start) / 1_000_000;
      }
      long[] warm = java.util.Arrays.copyOfRange(millis, 1, millis.length);
      java.util.Arrays.sort(warm);
      System.out.printf(
          "node agent: a session of `true` (TLS, WebSocket, session, status) takes %d ms (median"
              + " of %d warm runs; all: %s)%n",
          warm[warm.length / 2], warm.length, java.util.Arrays.toString(millis));
      long idle = rssKib(pid);
      SessionClient.Session session =
          gateway.open(query(POD_UID, false, "sh", "-c", "echo started; sleep 300"));
      awaitTrue(() -> session.stdoutSoFar().contains("started"), "the session to start");
      long open = rssKib(pid);
      long helpers = 0;
      List<Long> tree = descendants(pid);
      for (long child : tree) {
        if (Files.readString(Path.of("/proc/" + child + "/comm"))
            .strip()
            .equals("lambda-cntr-exe")) {
          helpers += rssKib(child);
        }
      }
      System.out.printf(
          "node agent: idle %d KiB RSS; with one open session %d KiB (+%d KiB); the session's"
              + " helper processes %d KiB RSS%n",
          idle, open, open - idle, helpers);
      SessionClient.await(session.socket.close());
      assertThat(open - idle).as("the JVM's growth for one session, KiB").isLessThan(16 * 1024);
      assertThat(helpers).as("the helpers' RSS, KiB").isPositive();
    }
  }

  private static long rssKib(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new AssertionError("no VmRSS for " + pid);
  }

  private static List<Long> descendants(long pid) {
    List<Long> all = new ArrayList<>();
    ProcessHandle.of(pid).ifPresent(p -> p.descendants().forEach(d -> all.add(d.pid())));
    return all;
  }

  interface Condition {
    boolean holds() throws Exception;
  }

  private static void awaitTrue(Condition condition, String what) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.holds()) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("waited 15 s for " + what + "; node agent log:\n" + log());
  }
}
