package dev.lambdacntr.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Sessions into a target that attacks them: root with the runtime's default capabilities, a
 * poisoned environment and malformed identity files ({@link TargetImages#hostile}). The attacks run
 * as the target's own processes ({@code ctr tasks exec}, the container's user, capabilities and
 * namespaces), while a session is open; each test asserts from outside what they got. Both
 * filesystem backends.
 */
@ExtendWith(TestBedExtension.class)
class HostileTargetIT {
  static TestBed bed;
  static int hostile;
  static int probes;

  static String agentFilesBefore;
  static java.util.Set<String> mountsBefore;

  @BeforeAll
  static void start(TestBed testBed) throws IOException {
    bed = testBed;
    Path work = Files.createDirectories(ContainerdHarness.STATE.resolve("images"));
    bed.containerd.importImage(
        TargetImages.hostile(work), ContainerdHarness.NAMESPACE, TargetImages.HOSTILE);
    hostile =
        bed.containerd.run(
            "hostile", TargetImages.HOSTILE + ":" + TargetImages.TAG, new ArrayList<>());
    agentFilesBefore = agentFiles();
    mountsBefore = mountPoints();
  }

  /**
   * After every attack: the agent's files are as they were, the machine has no mount and no session
   * helper more than before.
   */
  @org.junit.jupiter.api.AfterAll
  static void nothingOfTheAgentOrTheNodeChanged() throws IOException {
    assertThat(agentFiles()).as("the agent distribution's checksums").isEqualTo(agentFilesBefore);
    assertThat(mountPoints()).as("the machine's mount points").isEqualTo(mountsBefore);
    assertThat(Commands.run(List.of("pgrep", "-f", "^lambda-cntr-exec")).out())
        .as("session helpers left")
        .isBlank();
  }

  private static String agentFiles() {
    return Commands.check(
        "sh", "-c", "cd " + Agent.home() + " && find . -type f | sort | xargs sha256sum");
  }

  private static java.util.Set<String> mountPoints() throws IOException {
    java.util.Set<String> points = new java.util.TreeSet<>();
    for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
      String point = line.split(" ")[4];
      // the cluster test bed, when a developer runs it beside, mounts for its own pods
      if (!point.contains("lambda-cntr-testbed")) {
        points.add(point);
      }
    }
    return points;
  }

  /** Runs a shell script as a process of the hostile target. */
  static Commands.Result asTheTarget(String script) {
    return ContainerdHarness.ctr(
        ContainerdHarness.NAMESPACE,
        "tasks",
        "exec",
        "--exec-id=probe-" + ++probes,
        "hostile",
        "/bin/sh",
        "-c",
        script);
  }

  static List<String> attachArgs(String backend, String... command) {
    List<String> args =
        new ArrayList<>(List.of("--fs", backend, "--pid", Integer.toString(hostile), "--"));
    args.addAll(List.of(command));
    return args;
  }

  /**
   * What the target can reach of every process in its PID namespace that is not its own: the
   * executable, the descriptors (with where each leads), the root and the environment.
   */
  static final String HUNT =
      """
      me=$$
      for d in /proc/[0-9]*; do
        p=${d#/proc/}
        [ "$p" = 1 ] || [ "$p" = "$me" ] && continue
        grep -q "^PPid:[[:space:]]*$me\\$" $d/status 2>/dev/null && continue
        comm=$(cat $d/comm 2>/dev/null) || continue
        [ "$(cut -d' ' -f3 $d/stat 2>/dev/null)" = Z ] && continue
        exe=$(readlink $d/exe 2>/dev/null) || exe=DENIED
        if ls $d/fd/ >/dev/null 2>&1; then
          fds=
          for f in $d/fd/*; do
            t=$(readlink $f 2>/dev/null) || t=DENIED
            fds="$fds$t,"
            [ -d $f/.. ] && ls $f/.. >/dev/null 2>&1 && fds="${fds}PARENT-OF-$t-LISTED,"
          done
        else
          fds=DENIED
        fi
        ls $d/root/ >/dev/null 2>&1 && root=OPEN || root=DENIED
        cat $d/environ >/dev/null 2>&1 && environ=OPEN || environ=DENIED
        echo "PROC $p comm=$comm exe=$exe fds=$fds root=$root environ=$environ"
      done
      """;

  @ParameterizedTest
  @ValueSource(strings = {"mount", "fuse"})
  void theSessionsOwnProcessesAreOutOfTheTargetsReach(String backend) {
    try (Agent.Interactive session =
        Agent.interactive(
            attachArgs(backend, "/bin/sh", "-c", "echo session-ready; exec sleep 120"))) {
      session.await("session-ready", Duration.ofSeconds(60));
      Commands.Result hunt = asTheTarget(HUNT);
      assertThat(hunt.exit()).as(hunt.err()).isZero();
      List<String> procs = hunt.out().lines().filter(l -> l.startsWith("PROC ")).toList();

      List<String> guard = procs.stream().filter(l -> l.contains("comm=lambda-cntr-exe")).toList();
      assertThat(guard)
          .as("the session's guard is in the target's PID namespace: %s", procs)
          .hasSize(1);
      assertThat(guard.get(0))
          .as("the guard")
          .contains("exe=DENIED", "fds=DENIED", "root=DENIED", "environ=DENIED");

      // the user's program is the target's to see, as any of its own; it holds nothing of ours
      List<String> program = procs.stream().filter(l -> l.contains("comm=sleep")).toList();
      assertThat(program).as("the session's program: %s", procs).hasSize(1);
      String fds = program.get(0).replaceAll(".* fds=(\\S*) root=.*", "$1");
      assertThat(fds.split(","))
          .as("descriptors of the session's program")
          .allMatch(t -> t.matches("/dev/pts/[0-9]+|pipe:\\[[0-9]+\\]|/dev/null"));
      assertThat(hunt.out()).doesNotContain("PARENT-OF").doesNotContain("lambda-cntr-exec");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"mount", "fuse"})
  void theTerminalComesFromTheTargetsDevptsWhateverItsDevPtmxIs(String backend) {
    // a root target can put any device node at /dev/ptmx; here, the null device
    Commands.Result plant = asTheTarget("rm -f /dev/ptmx && mknod /dev/ptmx c 1 3");
    assertThat(plant.exit()).as(plant.err()).isZero();
    try (Agent.Interactive session =
        Agent.interactive(attachArgs(backend, "/bin/sh", "-c", "tty; echo terminal-ok"))) {
      session.await("terminal-ok", Duration.ofSeconds(60));
      assertThat(session.awaitExit(Duration.ofSeconds(30))).as(session.output()).isZero();
      assertThat(session.output()).contains("/dev/pts/");
      Commands.Result after = asTheTarget("stat -c '%F %t,%T' /dev/ptmx");
      assertThat(after.out().strip()).isEqualTo("character special file 1,3");
    } finally {
      asTheTarget("rm -f /dev/ptmx; ln -s pts/ptmx /dev/ptmx");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"mount", "fuse"})
  void malformedIdentityFilesAreLeftOutAndTheSessionStillWorks(String backend) {
    // /etc/passwd a directory, /etc/hosts a magic link through /proc, /etc/hostname a FIFO,
    // /etc/resolv.conf a relative link climbing above the root (in the root: /etc/resolv-real)
    Commands.Result plant =
        asTheTarget(
            "cd /etc && rm -f passwd hosts hostname resolv.conf && mkdir passwd"
                + " && ln -s /proc/1/root/etc/group hosts && mkfifo hostname"
                + " && ln -s ../../../../../etc/resolv-real resolv.conf");
    assertThat(plant.exit()).as(plant.err()).isZero();
    Commands.Result r;
    try {
      r = readIdentityFiles(backend);
    } finally {
      // by hand, from the host: the runtime reads /etc/passwd for every exec into the target
      Path etc = Path.of("/proc", Integer.toString(hostile), "root", "etc");
      Commands.check(
          "sh",
          "-c",
          "cd "
              + etc
              + " && rmdir passwd && rm -f hosts hostname resolv.conf && touch hosts hostname"
              + " resolv.conf");
      writeFile(etc.resolve("passwd"), TargetImages.HOSTILE_PASSWD);
    }
    assertThat(r.exit()).as("exit; stderr: %s", r.err()).isZero();
    String[] parts = r.out().split("---\n");
    assertThat(parts[0]).as("the tools' /etc/passwd").startsWith("root:x:0:0:");
    assertThat(parts[1])
        .as("/etc/hosts: the target's is a magic link through /proc")
        .doesNotContain(TargetImages.HOSTILE_GROUP_MARKER);
    assertThat(parts[2]).as("/etc/hostname: the target's is a FIFO").contains("hostname-status=0");
    assertThat(parts[3])
        .as("/etc/resolv.conf: a link climbing above the root, resolved in the root")
        .isEqualTo("nameserver 10.251.0.53\n");
    assertThat(r.err())
        .contains("leaves out the /etc/passwd of")
        .contains("it is a directory, not a regular file")
        .contains("leaves out the /etc/hosts of")
        .contains("ELOOP")
        .contains("leaves out the /etc/hostname of")
        .contains("it is a FIFO");
  }

  private static void writeFile(Path file, String content) {
    try {
      Files.writeString(file, content);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Commands.Result readIdentityFiles(String backend) {
    return Agent.attach(
        attachArgs(
            backend,
            "/bin/sh",
            "-c",
            "head -n 1 /etc/passwd; echo ---; cat /etc/hosts; echo ---; timeout 5 cat"
                + " /etc/hostname >/dev/null; echo hostname-status=$?; echo ---; cat"
                + " /etc/resolv.conf"),
        "");
  }

  @ParameterizedTest
  @ValueSource(strings = {"mount", "fuse"})
  void theTargetsEnvironmentDoesNotHijackTheTools(String backend) {
    Commands.Result r = Agent.attach(attachArgs(backend, "/bin/sh", "-c", "env"), "");
    assertThat(r.exit()).as("exit; stderr: %s", r.err()).isZero();
    assertThat(r.err()).doesNotContain("LD_PRELOAD").doesNotContain("cannot be preloaded");
    for (String entry : TargetImages.HOSTILE_ENVIRONMENT) {
      assertThat(r.out().lines()).doesNotContain(entry).contains("TARGET_" + entry);
    }

    List<String> keep = new ArrayList<>(List.of("--keep-env"));
    keep.addAll(attachArgs(backend, "/bin/sh", "-c", "env"));
    Commands.Result kept = Agent.attach(keep, "");
    assertThat(kept.out().lines()).containsAll(TargetImages.HOSTILE_ENVIRONMENT);
    assertThat(kept.err()).contains("cannot be preloaded");
  }

  @ParameterizedTest
  @ValueSource(strings = {"mount", "fuse"})
  void aRunawayToolFillsTheSessionsTmpNotTheTargetsMemory(String backend) {
    String fill = "dd if=/dev/zero of=/tmp/fill bs=1M count=80 2>&1; df -k /tmp /run | tail -n 2";
    Commands.Result limited = Agent.attach(attachArgs(backend, "/bin/sh", "-c", fill), "");
    assertThat(limited.out()).contains("No space left on device");
    assertThat(limited.out().lines().filter(l -> l.startsWith("tmpfs")))
        .as("/tmp and /run of 64 MiB: %s", limited.out())
        .hasSize(2)
        .allMatch(l -> l.matches("tmpfs\\s+65536\\s.*"));

    List<String> larger = new ArrayList<>(List.of("--tmp-size", "128m"));
    larger.addAll(attachArgs(backend, "/bin/sh", "-c", fill));
    Commands.Result enough = Agent.attach(larger, "");
    assertThat(enough.out()).doesNotContain("No space left").contains("80+0 records out");
  }

  @ParameterizedTest
  @ValueSource(strings = {"mount", "fuse"})
  void aProcessOfAnotherPodIsNotEntered(String backend) {
    // the container's cgroup is named after its ID but is below no such pod: not searched there
    String pod = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    Commands.Result r =
        Agent.attach(
            List.of("--fs", backend, "--pod-uid", pod, "hostile", "--", "echo", "entered"), "");
    assertThat(r.exit()).as(r.err()).isEqualTo(121);
    assertThat(r.err())
        .contains("cannot find a running process of container hostile")
        .contains("below pod " + pod);
    assertThat(r.out()).doesNotContain("entered");

    Commands.Result same =
        Agent.attach(List.of("--fs", backend, "hostile", "--", "echo", "entered"), "");
    assertThat(same.exit()).as(same.err()).isZero();
    assertThat(same.out()).isEqualTo("entered\n");
  }

  /**
   * A seccomp profile like a cluster's RuntimeDefault, but for the test: unshare and keyctl denied,
   * and clone with a namespace flag, as CRI-O's RuntimeDefault denies it: seven conditions on the
   * one argument, each of which alone matches (the test bed's CRI-O node showed the helper refusing
   * more than six).
   */
  static final String PROFILE =
      """
      {"defaultAction": "SCMP_ACT_ALLOW",
       "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
       "syscalls": [
         {"names": ["unshare", "keyctl"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1},
         {"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1,
          "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]},
         {"names": ["clone"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1,
          "args": [
            {"index": 0, "value": 131072, "valueTwo": 131072, "op": "SCMP_CMP_MASKED_EQ"},
            {"index": 0, "value": 67108864, "valueTwo": 67108864, "op": "SCMP_CMP_MASKED_EQ"},
            {"index": 0, "value": 134217728, "valueTwo": 134217728, "op": "SCMP_CMP_MASKED_EQ"},
            {"index": 0, "value": 268435456, "valueTwo": 268435456, "op": "SCMP_CMP_MASKED_EQ"},
            {"index": 0, "value": 536870912, "valueTwo": 536870912, "op": "SCMP_CMP_MASKED_EQ"},
            {"index": 0, "value": 1073741824, "valueTwo": 1073741824, "op": "SCMP_CMP_MASKED_EQ"},
            {"index": 0, "value": 33554432, "valueTwo": 33554432, "op": "SCMP_CMP_MASKED_EQ"}]}]}
      """;

  @ParameterizedTest
  @ValueSource(strings = {"mount", "fuse"})
  void theSessionRunsUnderTheTargetsSeccompFilter(String backend) throws IOException {
    Path profile = ContainerdHarness.STATE.resolve("seccomp-profile.json");
    Files.writeString(profile, PROFILE);
    String id = "confined-" + backend;
    int confined =
        bed.containerd.run(
            id,
            TargetImages.BUSYBOX + ":" + TargetImages.TAG,
            List.of("--seccomp", "--seccomp-profile", profile.toString()));
    try {
      String probe =
          "grep '^Seccomp:' /proc/self/status; unshare -U true 2>/dev/null; echo unshare=$?";
      Commands.Result r =
          Agent.attach(List.of("--fs", backend, id, "--", "/bin/sh", "-c", probe), "");
      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(r.out()).contains("Seccomp:\t2").contains("unshare=1");

      Commands.Result waived =
          Agent.attach(
              List.of(
                  "--fs",
                  backend,
                  "--no-seccomp",
                  "--pid",
                  Integer.toString(confined),
                  "--",
                  "/bin/sh",
                  "-c",
                  probe),
              "");
      assertThat(waived.exit()).as(waived.err()).isZero();
      assertThat(waived.out()).contains("Seccomp:\t0");

      // by PID, without the container ID: the bundle is the parent's working directory still
      Commands.Result byPid =
          Agent.attach(
              List.of(
                  "--fs", backend, "--pid", Integer.toString(confined), "--", "sh", "-c", probe),
              "");
      assertThat(byPid.out()).as(byPid.err()).contains("Seccomp:\t2").contains("unshare=1");
    } finally {
      bed.containerd.remove(id);
    }
  }

  /** The target's view of the processes with this marker in their command line, zombies aside. */
  static String running(String marker) {
    return asTheTarget(
            "for d in /proc/[0-9]*; do s=$(cut -d' ' -f3 $d/stat 2>/dev/null);"
                + " tr '\\0' ' ' < $d/cmdline 2>/dev/null | grep -q '"
                + marker
                + "' && [ \"$s\" != Z ] && echo \"${d#/proc/} $s\"; done; true")
        .out();
  }

  @ParameterizedTest
  @ValueSource(strings = {"mount", "fuse"})
  void killingTheGuardEndsEverySessionProcess(String backend) {
    try (Agent.Interactive session =
        Agent.interactive(
            attachArgs(
                backend,
                "/bin/sh",
                "-c",
                "sleep 3001 & sleep 3002 & echo session-ready; exec sleep 3003"))) {
      session.await("session-ready", Duration.ofSeconds(60));
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (running("^sleep 300[123]").lines().count() < 3 && System.nanoTime() < deadline) {
        ContainerdHarness.sleep(50);
      }
      assertThat(running("^sleep 300[123]").lines()).as("the session's processes").hasSize(3);

      Commands.Result kill =
          asTheTarget(
              "for d in /proc/[0-9]*; do [ \"$(cat $d/comm 2>/dev/null)\" = lambda-cntr-exe ]"
                  + " && kill -9 ${d#/proc/} && echo killed; done; true");
      assertThat(kill.out()).as(kill.err()).contains("killed");

      deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (!running("^sleep 300[123]").isBlank() && System.nanoTime() < deadline) {
        ContainerdHarness.sleep(50);
      }
      assertThat(running("^sleep 300[123]")).as("session processes left running").isBlank();
      assertThat(session.awaitExit(Duration.ofSeconds(10))).isNotZero();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"mount", "fuse"})
  void mountsBelowTheToolsRootStayOutOfTheView(String backend) throws IOException {
    // in the agent pod, such mounts are the runtime socket's directory and the service account's
    Path below = Files.createDirectories(Path.of("/mnt/lambda-cntr-it-submount"));
    Commands.check("mount", "-t", "tmpfs", "-o", "size=1m", "lambda-cntr-it", below.toString());
    try {
      Files.writeString(below.resolve("agent-secret"), "only the agent's\n");
      Commands.Result r = Agent.attach(attachArgs(backend, "/bin/ls", "-A", below.toString()), "");
      assertThat(r.exit()).as(r.err()).isZero();
      assertThat(r.out()).doesNotContain("agent-secret");
    } finally {
      Commands.run(List.of("umount", below.toString()));
      Files.deleteIfExists(below);
    }
  }

  /** StdinFrames: a 4-byte big-endian length, then the bytes; an empty frame ends the input. */
  static byte[] frames(String... chunks) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (String chunk : chunks) {
      byte[] data = chunk.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      out.writeBytes(java.nio.ByteBuffer.allocate(4).putInt(data.length).array());
      out.writeBytes(data);
    }
    return out.toByteArray();
  }

  @ParameterizedTest
  @ValueSource(strings = {"mount", "fuse"})
  void aSessionThatNeitherReadsNorPrintsEndsWhenItsClientGoes(String backend) throws Exception {
    // as the CLI does: the input, its end, and the stream kept open until the session's end
    List<String> framed = new ArrayList<>(List.of("--framed-stdin"));
    framed.addAll(attachArgs(backend, "/bin/cat"));
    Process cat = new ProcessBuilder(withLauncher(framed)).redirectErrorStream(true).start();
    cat.getOutputStream().write(frames("framed ", "input\n", ""));
    cat.getOutputStream().flush();
    assertThat(cat.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(
            new String(
                cat.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo("framed input\n");
    assertThat(cat.exitValue()).isZero();
    cat.getOutputStream().close();

    // the input ended, then the stream: the client is gone, and the session with it
    List<String> silent = new ArrayList<>(List.of("--framed-stdin"));
    silent.addAll(attachArgs(backend, "/bin/sleep", "300"));
    long started = System.nanoTime();
    Commands.Result gone =
        Commands.run(withLauncher(silent), java.util.Map.of(), frames(""), Duration.ofSeconds(60));
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
    assertThat(gone.exit()).as(gone.err()).isEqualTo(129);
    assertThat(running("^/bin/sleep 300")).isBlank();
  }

  private static List<String> withLauncher(List<String> args) {
    List<String> command = new ArrayList<>(List.of(Agent.launcher().toString(), "attach"));
    command.addAll(args);
    return command;
  }
}
