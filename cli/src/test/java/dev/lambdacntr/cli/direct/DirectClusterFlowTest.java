package dev.lambdacntr.cli.direct;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lambdacntr.cli.testing.CliHarness;
import dev.lambdacntr.cli.testing.CliHarness.Result;
import dev.lambdacntr.cli.testing.MockCluster;
import dev.lambdacntr.protocol.ExitCode;
import dev.lambdacntr.target.Version;
import io.fabric8.kubernetes.api.model.Event;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which requests go directly and which through the client library, against the mock API server:
 * direct ones for a session with a ready agent, the library for a cold start and for every failure,
 * and nothing done twice when it takes over.
 */
class DirectClusterFlowTest {

  static final String IMAGE = Version.defaultImage();

  @TempDir Path dir;
  MockCluster cluster;
  Map<String, String> env;

  @BeforeEach
  void start() throws IOException {
    cluster = new MockCluster();
    cluster.addNode("node-1");
    cluster.addRunningPod("default", "demo", "node-1", "app");
    Path kubeconfig = cluster.writeKubeconfig(dir.resolve("kubeconfig"), Optional.empty());
    env = new HashMap<>(Map.of("KUBECONFIG", kubeconfig.toString(), "HOME", dir.toString()));
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  Result run(String... args) {
    return CliHarness.run(env, args);
  }

  List<Event> auditEvents() {
    return cluster.client().v1().events().inNamespace("default").list().getItems();
  }

  @Test
  void aReadyAgentIsUsedOverDirectRequests() {
    cluster.addReadyAgent("node-1", IMAGE);
    cluster.selfSubjectUser("alice");
    Result r = run("execute", "-v", "demo", "--", "echo", "warm");
    assertThat(r.exit()).as(r.stderr()).isZero();
    assertThat(r.stdout()).isEqualTo("warm\n");
    assertThat(r.stderr())
        .contains("the cluster through direct requests")
        .contains("reusing agent pod lambda-cntr/")
        .doesNotContain("through the client library");
    assertThat(auditEvents()).hasSize(1);
    assertThat(auditEvents().get(0).getMessage()).startsWith("alice executed 'echo warm'");
  }

  @Test
  void aColdStartCreatesTheAgentThroughTheLibrary() {
    Result r = run("execute", "-v", "demo", "--", "exit", "4");
    assertThat(r.exit()).as(r.stderr()).isEqualTo(4);
    assertThat(r.stderr())
        .contains(
            "no ready agent of this image proven on node node-1; asking through the client library")
        .contains("creating agent on node node-1");
    assertThat(auditEvents()).hasSize(1);
    assertThat(cluster.agentJobs()).hasSize(1);
  }

  @Test
  void anAgentWithAnotherImageIsLeftAloneAndOneCreatedThroughTheLibrary() {
    cluster.addReadyAgent("node-1", "ghcr.io/lambda-cntr/debug:old");
    Result r = run("execute", "-v", "demo", "--", "exit", "0");
    assertThat(r.exit()).as(r.stderr()).isZero();
    assertThat(r.stderr())
        .contains("asking through the client library")
        .contains("creating agent on node node-1");
    assertThat(cluster.agentJobs()).hasSize(2);
  }

  @Test
  void errorsAreTheLibrarysOwn() {
    cluster.addReadyAgent("node-1", IMAGE);
    Result missing = run("execute", "demo-x", "--", "exit", "0");
    assertThat(missing.exit()).isEqualTo(ExitCode.POD_NOT_FOUND.code());
    assertThat(missing.stderr())
        .isEqualTo("lambda-cntr: pod default/demo-x not found; did you mean demo?\n");
    cluster.deny("POST /api/v1/namespaces/default/events");
    Result denied = run("execute", "demo", "--", "exit", "0");
    assertThat(denied.exit()).isEqualTo(ExitCode.FORBIDDEN.code());
    assertThat(denied.stderr()).contains("cannot create events in namespace default");
    assertThat(cluster.execLog().argv()).isEmpty();
  }

  @Test
  void aKubeconfigOnlyTheLibraryReadsTakesTheLibrary() {
    cluster.addReadyAgent("node-1", IMAGE);
    env.put("KUBERNETES_REQUEST_TIMEOUT", "20000");
    Result r = run("execute", "-v", "demo", "--", "exit", "0");
    assertThat(r.exit()).as(r.stderr()).isZero();
    assertThat(r.stderr())
        .contains(
            "direct requests impossible (environment variable KUBERNETES_REQUEST_TIMEOUT is set)")
        .contains("the cluster through client library");
  }

  @Test
  void theLibraryCanBeChosen() {
    cluster.addReadyAgent("node-1", IMAGE);
    env.put("LAMBDA_CNTR_CLIENT", "library");
    Result r = run("execute", "-v", "demo", "--", "exit", "0");
    assertThat(r.exit()).as(r.stderr()).isZero();
    assertThat(r.stderr()).contains("the cluster through client library");
    env.put("LAMBDA_CNTR_CLIENT", "fast");
    Result wrong = run("execute", "demo", "--", "exit", "0");
    assertThat(wrong.exit()).isEqualTo(ExitCode.USAGE.code());
    assertThat(wrong.stderr())
        .isEqualTo("lambda-cntr: LAMBDA_CNTR_CLIENT=fast: expected 'direct' or 'library'\n");
  }

  @Test
  void attachWithProtectionGoesDirect() {
    cluster.addReadyAgent("node-1", IMAGE);
    Result r =
        CliHarness.run(
            env,
            "exit 0\n".getBytes(java.nio.charset.StandardCharsets.UTF_8),
            false,
            false,
            "attach",
            "-v",
            "demo");
    assertThat(r.exit()).as(r.stderr()).isZero();
    assertThat(r.stderr()).contains("the cluster through direct requests");
    assertThat(auditEvents()).hasSize(1);
  }
}
