package dev.lambdacntr.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The case lambda-cntr exists for: a distroless target (one static binary, no shell, no libc, user
 * 65532), where {@code kubectl exec} has nothing to run. The session brings its own shell and
 * tools, runs as the target's user, sees its process and reaches its server on localhost.
 */
@Tag("runtime-core") // also on each node of another runtime (scripts/e2e)
class DistrolessTargetIT {

  private static final String TARGET = "distroless";

  static TestCluster cluster;
  static E2eNamespace namespace;
  static LambdaCntr lambdaCntr;
  static Target target;

  @BeforeAll
  static void start() {
    cluster = TestCluster.get();
    namespace = cluster.namespace("static");
    lambdaCntr =
        new LambdaCntr(cluster.settings(), namespace.name(), namespace.agentNamespace("static"));
    target = Target.distroless(cluster, lambdaCntr, TARGET, cluster.firstNode());
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

  @ParameterizedTest
  @ValueSource(strings = {"mount", "fuse"})
  void aShellAndToolsInATargetThatHasNeither(String fs) {
    LambdaCntr.Result r =
        lambdaCntr.execute(
            List.of("--fs", fs),
            List.of(TARGET),
            "sh",
            "-c",
            "id -u; id -g; ls /var/lib/cntr; cat /var/lib/cntr/etc/lambda-cntr-target;"
                + " tr '\\0' ' ' </proc/1/cmdline; echo;"
                + " curl -s --max-time 10 http://127.0.0.1:8080/; echo;"
                + " strace -f -e trace=none true && echo strace-works");

    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.stdout())
        .as(r.toString())
        .startsWith("65532\n65532\n") // the target's user and group
        .contains("target-static\n") // its root: the binary alone (plus what runtimes add)
        .contains("/target-static") // its process, as PID 1 of the shared PID namespace
        .contains("\"name\":\"target-static\"") // its server, on its own localhost
        .contains("strace-works");
  }

  @Test
  void attachWithoutATerminalReadsCommandsFromStdin() {
    LambdaCntr.Result r = lambdaCntr.attachPiped(List.of(), TARGET, "echo in-$(id -un); exit 3\n");
    assertThat(r.exit()).as(r.toString()).isEqualTo(3);
    assertThat(r.stdout()).as(r.toString()).contains("in-nonroot");
  }
}
