package dev.lambdacntr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lambdacntr.cli.testing.CliHarness;
import dev.lambdacntr.cli.testing.CliHarness.Result;
import dev.lambdacntr.cli.testing.MockCluster;
import dev.lambdacntr.protocol.ExitCode;
import dev.lambdacntr.target.AuditEvents;
import dev.lambdacntr.target.Version;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code --reason} in direct mode, against the mock API server, through each way to it: recorded in
 * the Event, required by the agent namespace's label, checked for length.
 */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"library", "direct"})
class ReasonFlowTest {

  static final String IMAGE = "ghcr.io/lambda-cntr/debug:" + Version.version();

  @Parameter String client;

  @TempDir Path dir;
  MockCluster cluster;
  Map<String, String> env;

  @BeforeEach
  void start() throws IOException {
    cluster = new MockCluster();
    cluster.addNode("node-1");
    cluster.addRunningPod("default", "demo-7d9f", "node-1", "app");
    cluster.addReadyAgent("node-1", IMAGE);
    Path kubeconfig = cluster.writeKubeconfig(dir.resolve("kubeconfig"), Optional.empty());
    env =
        Map.of(
            "KUBECONFIG",
            kubeconfig.toString(),
            "HOME",
            dir.toString(),
            SessionClusters.CHOICE,
            client);
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  Result run(Map<String, String> more, String... args) {
    Map<String, String> all = new HashMap<>(env);
    all.putAll(more);
    return CliHarness.run(all, args);
  }

  void requireReasonInTheAgentNamespace() {
    cluster
        .client()
        .namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName("lambda-cntr")
                .addToLabels(ReasonRequirement.LABEL, "true")
                .endMetadata()
                .build())
        .createOr(n -> n.update());
  }

  List<Event> auditEvents() {
    return cluster.client().v1().events().inNamespace("default").list().getItems();
  }

  @Test
  void theReasonIsRecordedInTheEvent() {
    Result r =
        run(Map.of(), "execute", "--reason", "INC-4711: 502s", "demo-7d9f", "--", "exit", "0");
    assertThat(r.exit()).as(r.stderr()).isZero();
    Event e = auditEvents().get(0);
    assertThat(e.getMessage()).endsWith(", reason: \"INC-4711: 502s\"");
    assertThat(e.getMetadata().getAnnotations())
        .containsEntry(AuditEvents.REASON_ANNOTATION, "INC-4711: 502s");
    assertThat(cluster.calls())
        .as("a session with a reason does not read the agent namespace")
        .noneMatch(c -> c.path().equals("/api/v1/namespaces/lambda-cntr"));
  }

  @Test
  void theReasonMayComeFromTheEnvironmentAndTheOptionWins() {
    Map<String, String> all = new HashMap<>(env);
    all.put(EnvDefaults.REASON, "from the environment");
    Result r =
        CliHarness.run(
            all, "exit 0\n".getBytes(StandardCharsets.UTF_8), false, false, "attach", "demo-7d9f");
    assertThat(r.exit()).as(r.stderr()).isZero();
    Result option =
        run(
            Map.of(EnvDefaults.REASON, "from the environment"),
            "execute",
            "--reason",
            "from the option",
            "demo-7d9f",
            "--",
            "exit",
            "0");
    assertThat(option.exit()).as(option.stderr()).isZero();
    assertThat(auditEvents())
        .extracting(e -> e.getMetadata().getAnnotations().get(AuditEvents.REASON_ANNOTATION))
        .containsExactlyInAnyOrder("from the environment", "from the option");
  }

  @Test
  void aLabelledAgentNamespaceRefusesASessionWithoutAReasonBeforeAnythingStarts() {
    requireReasonInTheAgentNamespace();
    Result r = run(Map.of(), "execute", "demo-7d9f", "--", "exit", "0");
    assertThat(r.exit()).as(r.stderr()).isEqualTo(ExitCode.REASON_REQUIRED.code());
    assertThat(r.stderr())
        .isEqualTo(
            "lambda-cntr: a reason is required: namespace lambda-cntr is labelled"
                + " lambda-cntr.dev/require-reason=true; say why with --reason TEXT (or"
                + " LAMBDA_CNTR_REASON); it is recorded in the session's Event\n");
    assertThat(cluster.execLog().argv()).isEmpty();
    assertThat(auditEvents()).isEmpty();

    Result given = run(Map.of(), "execute", "--reason", "INC-1", "demo-7d9f", "--", "exit", "0");
    assertThat(given.exit()).as(given.stderr()).isZero();
  }

  @Test
  void fanOutChecksTheLabelOnceBeforeAnyAgent() {
    requireReasonInTheAgentNamespace();
    Result r = run(Map.of(), "execute", "-l", "app=demo", "--", "true");
    assertThat(r.exit()).as(r.stderr()).isEqualTo(ExitCode.REASON_REQUIRED.code());
    assertThat(cluster.execLog().argv()).isEmpty();
  }

  @Test
  void anUnreadableAgentNamespaceRequiresNothingAndVerboseSaysSo() {
    cluster.deny("GET /api/v1/namespaces/lambda-cntr$");
    Result r = run(Map.of(), "execute", "-v", "demo-7d9f", "--", "exit", "0");
    assertThat(r.exit()).as(r.stderr()).isZero();
    assertThat(r.stderr())
        .contains(
            "cannot read namespace lambda-cntr to see whether it requires a reason"
                + " (lambda-cntr.dev/require-reason); going on without one: forbidden");
  }

  @Test
  void aTooLongReasonIsAUsageError() {
    Result r =
        run(Map.of(), "execute", "--reason", "r".repeat(1025), "demo-7d9f", "--", "exit", "0");
    assertThat(r.exit()).isEqualTo(ExitCode.USAGE.code());
    assertThat(r.stderr())
        .isEqualTo(
            "lambda-cntr: --reason (or LAMBDA_CNTR_REASON): the reason is 1025 characters long;"
                + " at most 1024 are recorded\n");
    assertThat(cluster.calls()).isEmpty();
  }
}
