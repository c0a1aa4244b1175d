package dev.lambdacntr.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lambdacntr.protocol.ExitCode;
import io.fabric8.kubernetes.api.model.Event;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code lambda-cntr execute} into a busybox target, with both ways of building the view ({@code
 * --fs mount} and {@code --fs fuse}): the tools are there, the target's files are at {@code
 * /var/lib/cntr}, host name and network are the target's, the exit status and the bytes come back,
 * and the session is recorded on the pod. The target is unchanged afterwards.
 */
@Tag("runtime-core") // also on each node of another runtime (scripts/e2e)
class ExecuteIT {

  private static final String TARGET = "busybox";

  static TestCluster cluster;
  static E2eNamespace namespace;
  static LambdaCntr lambdaCntr;
  static Target target;

  @BeforeAll
  static void start() {
    cluster = TestCluster.get();
    namespace = cluster.namespace("execute");
    target = Target.busybox(cluster, namespace.name(), TARGET, cluster.firstNode());
    lambdaCntr =
        new LambdaCntr(cluster.settings(), namespace.name(), namespace.agentNamespace("execute"));
  }

  @AfterAll
  static void targetUnchangedThenCleanUp() {
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

  private static LambdaCntr.Result execute(String fs, String... command) {
    return lambdaCntr.execute(List.of("--fs", fs), List.of(TARGET), command);
  }

  @ParameterizedTest
  @ValueSource(strings = {"mount", "fuse"})
  void theRootIsTheToolsImageAndTheTargetIsAtVarLibCntr(String fs) {
    LambdaCntr.Result r =
        execute(
            fs,
            "sh",
            "-c",
            "which strace gdb tcpdump; . /etc/os-release; echo \"os=$ID\";"
                + " echo \"marker=$(cat /var/lib/cntr/etc/lambda-cntr-target)\";"
                + " echo \"env=$LAMBDA_CNTR_TARGET\"; ls /var/lib/cntr/bin/busybox;"
                + " echo \"root=$(awk '$5 == \"/\" { sub(/.* - /, \"\"); print $1 }'"
                + " /proc/self/mountinfo)\"");

    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.stdout())
        .as(r.toString())
        .contains("/usr/bin/strace\n", "/usr/bin/gdb\n", "tcpdump\n")
        .contains("os=debian\n") // the tools image's, the target has no os-release
        .contains("marker=target-busybox\n") // the target's own file
        .contains("env=target-busybox\n") // the target's environment
        .contains("/var/lib/cntr/bin/busybox\n");
    // --fs reaches the agent: the tools root is served by cntrfs exactly with fuse
    if (fs.equals("fuse")) {
      assertThat(r.stdout()).as(r.toString()).contains("root=fuse.cntrfs\n");
    } else {
      assertThat(r.stdout()).as(r.toString()).containsPattern("root=\\S+\n").doesNotContain("fuse");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"mount", "fuse"})
  void hostNameAndNetworkAreTheTargets(String fs) {
    LambdaCntr.Result r = execute(fs, "sh", "-c", "hostname; ip -o -4 addr show");

    assertThat(r.exit()).as(r.toString()).isZero();
    String podIp = target.pod().getStatus().getPodIP();
    String nodeIp = target.pod().getStatus().getHostIP();
    assertThat(r.stdout().lines().findFirst()).as(r.toString()).hasValue(TARGET);
    assertThat(addresses(r.stdout()))
        .as("addresses in the session (%s) and in the target itself", r)
        .contains(podIp)
        .doesNotContain(nodeIp) // the agent's own network would be the node's
        .isEqualTo(
            addresses(cluster.exec(namespace.name(), TARGET, "main", "ip", "-o", "-4", "addr")));
  }

  private static Set<String> addresses(String ipOutput) {
    Matcher m = Pattern.compile("inet (\\d+\\.\\d+\\.\\d+\\.\\d+)/").matcher(ipOutput);
    return m.results().map(g -> g.group(1)).collect(Collectors.toSet());
  }

  @ParameterizedTest
  @ValueSource(strings = {"mount", "fuse"})
  void theCommandsExitStatusComesBack(String fs) {
    assertThat(execute(fs, "true").exit()).isZero();
    LambdaCntr.Result three = execute(fs, "sh", "-c", "echo out; echo err >&2; exit 3");
    assertThat(three.exit()).as(three.toString()).isEqualTo(3);
    assertThat(three.stdout()).isEqualTo("out\n");
    assertThat(three.stderr()).isEqualTo("err\n");
    LambdaCntr.Result missing = execute(fs, "no-such-command");
    assertThat(missing.exit()).as(missing.toString()).isEqualTo(ExitCode.COMMAND_NOT_FOUND.code());
    assertThat(missing.stderr()).as(missing.toString()).contains("no-such-command");
  }

  @ParameterizedTest
  @ValueSource(strings = {"mount", "fuse"})
  void stdinAndStdoutAreBinarySafe(String fs) throws NoSuchAlgorithmException {
    byte[] data = new byte[1 << 20];
    new Random(42).nextBytes(data);
    LambdaCntr.Result echoed =
        lambdaCntr.run(
            data,
            lambdaCntr.session("execute", List.of("--fs", fs), List.of(TARGET), List.of("cat")));
    assertThat(echoed.exit()).as(echoed.toString()).isZero();
    assertThat(echoed.stdoutBytes()).as("1 MiB through cat in the target").isEqualTo(data);

    LambdaCntr.Result digest =
        lambdaCntr.run(
            data,
            lambdaCntr.session(
                "execute", List.of("--fs", fs), List.of(TARGET), List.of("sha256sum")));
    String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    assertThat(digest.stdout()).as(digest.toString()).startsWith(expected + "  -");
  }

  @Test
  void everySessionIsRecordedAsAnEventOnTheTarget() {
    String marker = "audit-" + Long.toHexString(new Random().nextLong());
    LambdaCntr.Result r = lambdaCntr.execute(TARGET, "echo", marker);
    assertThat(r.exit()).as(r.toString()).isZero();

    List<Event> events =
        cluster.client().v1().events().inNamespace(namespace.name()).list().getItems().stream()
            .filter(e -> "LambdaCntrExecute".equals(e.getReason()))
            .filter(e -> e.getMessage().contains(marker))
            .toList();
    assertThat(events).as("LambdaCntrExecute events naming %s", marker).hasSize(1);
    Event event = events.get(0);
    assertThat(event.getInvolvedObject().getName()).isEqualTo(TARGET);
    assertThat(event.getInvolvedObject().getFieldPath()).isEqualTo("spec.containers{main}");
    assertThat(event.getMessage())
        .contains("executed 'echo " + marker + "' in container main")
        .contains(cluster.settings().debugImage())
        .contains(lambdaCntr.servingAgentNamespace() + "/");
  }
}
