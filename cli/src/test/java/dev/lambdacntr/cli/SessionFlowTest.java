package dev.lambdacntr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lambdacntr.cli.agent.AgentNames;
import dev.lambdacntr.cli.agent.AgentSpec;
import dev.lambdacntr.cli.agent.AgentTemplate;
import dev.lambdacntr.cli.testing.CliHarness;
import dev.lambdacntr.cli.testing.CliHarness.Result;
import dev.lambdacntr.cli.testing.MockCluster;
import dev.lambdacntr.cli.testing.MockCluster.AgentBehaviour;
import dev.lambdacntr.protocol.AgentInvocation;
import dev.lambdacntr.protocol.ExitCode;
import dev.lambdacntr.protocol.FsBackend;
import dev.lambdacntr.target.AuditEvents;
import dev.lambdacntr.target.Version;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The API flows against the fabric8 mock server (CRUD mode) with a fake Job controller and kubelet,
 * once through each {@link dev.lambdacntr.cli.kube.SessionCluster}: they must not differ.
 */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"library", "direct"})
class SessionFlowTest {

  @Parameter String client;

  static final String IMAGE = "ghcr.io/lambda-cntr/debug:" + Version.version();

  /** The pods the CLI exec'd into. */
  List<String> execedPods() {
    return cluster.calls().stream()
        .map(c -> c.path().replaceAll("\\?.*", ""))
        .filter(p -> p.endsWith("/exec"))
        .map(p -> p.replaceAll(".*/pods/([^/]+)/exec", "$1"))
        .toList();
  }

  /** The agent Job's name for {@link #IMAGE} on {@code node}. */
  static String jobName(String node) {
    return AgentTemplate.job(
            new AgentSpec(AgentNames.DEFAULT_NAMESPACE, node, IMAGE, Duration.ofMinutes(15)))
        .getMetadata()
        .getName();
  }

  @TempDir Path dir;
  MockCluster cluster;
  Map<String, String> env;
  String demoPodUid;

  @BeforeEach
  void start() throws IOException {
    cluster = new MockCluster();
    cluster.addNode("node-1");
    demoPodUid =
        cluster.addRunningPod("default", "demo-7d9f", "node-1", "app").getMetadata().getUid();
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

  Result run(String... args) {
    return CliHarness.run(env, args);
  }

  /** A pod whose container {@code app} is in CrashLoopBackOff after a run that exited 3. */
  void addCrashLoopingPod(String name) {
    cluster.addRunningPod("default", name, "node-1", "app");
    cluster
        .client()
        .pods()
        .inNamespace("default")
        .withName(name)
        .editStatus(
            pod ->
                new PodBuilder(pod)
                    .editStatus()
                    .editFirstContainerStatus()
                    .withNewState()
                    .withNewWaiting()
                    .withReason("CrashLoopBackOff")
                    .endWaiting()
                    .endState()
                    .withNewLastState()
                    .withNewTerminated()
                    .withExitCode(3)
                    .withContainerID("containerd://" + "de4d".repeat(16))
                    .endTerminated()
                    .endLastState()
                    .endContainerStatus()
                    .endStatus()
                    .build());
  }

  @Test
  void aContainerThatIsNotRunningIsOfferedAPostMortemAtATerminal() {
    addCrashLoopingPod("crashing");
    Result yes =
        CliHarness.run(
            env, "y\n".getBytes(), true, false, "execute", "crashing", "--", "exit", "4");
    assertThat(yes.exit()).as(yes.stderr()).isEqualTo(4);
    assertThat(yes.stderr())
        .contains(
            "container app of pod default/crashing is not running: CrashLoopBackOff; last exit"
                + " code 3; restarts: 0.\nOpen a post-mortem session in what its last run left?"
                + " [y/N] ");
    assertThat(cluster.execLog().argv().getLast())
        .contains("--post-mortem", "de4d".repeat(16))
        .doesNotContain(MockCluster.containerId(0));

    Result no =
        CliHarness.run(env, "\n".getBytes(), true, false, "execute", "crashing", "--", "exit", "4");
    assertThat(no.exit()).isEqualTo(ExitCode.CONTAINER_NOT_RUNNING.code());
    assertThat(no.stderr()).contains("; --post-mortem opens a session in what its last run left");

    // no terminal: no question, the refusal says how to ask
    Result piped = run("execute", "crashing", "--", "true");
    assertThat(piped.exit()).isEqualTo(ExitCode.CONTAINER_NOT_RUNNING.code());
    assertThat(piped.stderr()).doesNotContain("[y/N]");
    assertThat(cluster.execLog().argv()).hasSize(1);
  }

  @Test
  void coldStartCreatesTheAgentJobReportsProgressRecordsTheEventAndReturnsTheStatus() {
    Result r = run("execute", "demo-7d9f", "--", "exit", "3");

    assertThat(r.exit()).as(r.stderr()).isEqualTo(3);
    List<Job> jobs = cluster.agentJobs();
    assertThat(jobs).hasSize(1);
    Job expected =
        AgentTemplate.job(
            new AgentSpec(AgentNames.DEFAULT_NAMESPACE, "node-1", IMAGE, Duration.ofMinutes(15)));
    assertThat(jobs.get(0).getSpec()).isEqualTo(expected.getSpec());
    assertThat(jobs.get(0).getMetadata().getLabels()).isEqualTo(expected.getMetadata().getLabels());
    assertThat(
            cluster.client().namespaces().withName("lambda-cntr").get().getMetadata().getLabels())
        .containsEntry("pod-security.kubernetes.io/enforce", "privileged");
    assertThat(phases(r.stderr()))
        .containsExactly(
            "resolving pod default/demo-7d9f",
            "creating agent on node node-1 (image " + IMAGE + ")",
            "creating namespace lambda-cntr (PodSecurity privileged)",
            "image ready: Container image \"" + IMAGE + "\" already present on machine",
            "agent ready: pod " + agentRef(),
            "executing in default/demo-7d9f container app via agent " + agentRef());

    assertThat(cluster.execLog().argv())
        .containsExactly(
            AgentInvocation.forContainer(
                    MockCluster.containerId(0),
                    Optional.of(demoPodUid),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    FsBackend.AUTO,
                    false,
                    false,
                    AgentInvocation.DEFAULT_TMP_SIZE,
                    false,
                    false,
                    List.of("exit", "3"))
                .toArgv());
    List<Event> events = auditEvents();
    assertThat(events).hasSize(1);
    Event e = events.get(0);
    assertThat(e.getReason()).isEqualTo(AuditEvents.EXECUTE_REASON);
    assertThat(e.getInvolvedObject().getName()).isEqualTo("demo-7d9f");
    assertThat(e.getMessage())
        .isEqualTo(
            "kubeconfig user tester executed 'exit 3' in container app (image "
                + IMAGE
                + ", agent "
                + agentRef()
                + ")");
  }

  @Test
  void warmStartReusesTheAgentSilentlyWithoutCreatingAnything() {
    cluster.addReadyAgent("node-1", IMAGE);
    int before = cluster.calls().size();

    Result r = run("execute", "demo-7d9f", "--", "echo", "hi");

    assertThat(r.exit()).as(r.stderr()).isZero();
    assertThat(r.stdout()).isEqualTo("hi\n");
    assertThat(r.stderr()).isEmpty();
    List<String> requests =
        cluster.calls().subList(before, cluster.calls().size()).stream()
            .map(c -> c.method() + " " + c.path().replaceAll("\\?.*", ""))
            .toList();
    assertThat(requests)
        .containsExactlyInAnyOrder(
            // --mode auto asks first whether server mode is served (here: 404, so direct)
            "GET /apis/cntr.lambda-cntr.dev/v1alpha1",
            // no --reason: does the agent namespace require one? (beside the pod's lookup)
            "GET /api/v1/namespaces/lambda-cntr",
            "POST /apis/authentication.k8s.io/v1/selfsubjectreviews",
            "GET /api/v1/namespaces/default/pods/demo-7d9f",
            "GET /api/v1/namespaces/lambda-cntr/pods",
            // the proof that the ready agent is its Job's: the Job's UID and template label
            "GET /apis/batch/v1/namespaces/lambda-cntr/jobs/"
                + cluster.agentJobs().get(0).getMetadata().getName(),
            "POST /api/v1/namespaces/default/events",
            "GET /api/v1/namespaces/lambda-cntr/pods/"
                + cluster.agentPods().get(0).getMetadata().getName()
                + "/exec");
  }

  @Test
  void verboseWarmStartSaysWhichAgentItReuses() {
    cluster.addReadyAgent("node-1", IMAGE);
    Result r = run("execute", "-v", "demo-7d9f", "--", "exit", "0");
    assertThat(r.exit()).isZero();
    assertThat(r.stderr()).contains("reusing agent pod " + agentRef() + " on node node-1");
  }

  @Test
  void quietColdStartPrintsNothing() {
    Result r = run("execute", "-q", "demo-7d9f", "--", "exit", "0");
    assertThat(r.exit()).isZero();
    assertThat(r.stderr()).isEmpty();
  }

  @Test
  void anAgentOfAnotherImageIsLeftAloneAndOneForThisImageStartsBesideIt() {
    Pod other = cluster.addReadyAgent("node-1", "example.org/old:1");
    Result r = run("execute", "demo-7d9f", "--", "exit", "0");
    assertThat(r.exit()).as(r.stderr()).isZero();
    assertThat(r.stderr()).contains("creating agent on node node-1 (image " + IMAGE + ")");
    assertThat(cluster.agentPods())
        .extracting(p -> p.getMetadata().getUid())
        .contains(other.getMetadata().getUid())
        .hasSize(2);
    assertThat(cluster.agentJobs())
        .extracting(j -> j.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .containsExactlyInAnyOrder("example.org/old:1", IMAGE);
    assertThat(execedPods()).doesNotContain(other.getMetadata().getName());
  }

  @Test
  void aPodWithTheAgentsLabelsButNoOwningJobIsNeverUsed() throws InterruptedException {
    Pod real = cluster.addReadyAgent("node-1", IMAGE);
    Pod forged =
        new PodBuilder(real)
            .editMetadata()
            .withName("forged-agent")
            .withUid(null)
            .withResourceVersion(null)
            .withOwnerReferences()
            .endMetadata()
            .build();
    cluster.client().batch().v1().jobs().inNamespace("lambda-cntr").delete();
    for (int i = 0; i < 500 && !cluster.agentPods().isEmpty(); i++) {
      Thread.sleep(10); // the fake Job controller removes the Job's pod
    }
    cluster.client().pods().inNamespace("lambda-cntr").resource(forged).create();

    Result r = run("execute", "demo-7d9f", "--", "exit", "0");

    assertThat(r.exit()).as(r.stderr()).isZero();
    assertThat(r.stderr())
        .contains(
            "not using pod lambda-cntr/forged-agent on node node-1: no Job owns it (it was not"
                + " created by agent job "
                + real.getMetadata().getOwnerReferences().get(0).getName()
                + ")")
        .contains("creating agent on node node-1");
    assertThat(execedPods()).isNotEmpty().doesNotContain("forged-agent");
  }

  @Test
  void expiredAgentIsNotReusedAndItsFinishedJobIsReplaced() {
    Pod agent = cluster.addReadyAgent("node-1", IMAGE);
    // The idle process exited: the pod succeeded, the Job completed, its TTL not yet applied.
    cluster
        .client()
        .pods()
        .inNamespace("lambda-cntr")
        .withName(agent.getMetadata().getName())
        .edit(p -> new PodBuilder(p).editStatus().withPhase("Succeeded").endStatus().build());
    cluster
        .client()
        .batch()
        .v1()
        .jobs()
        .inNamespace("lambda-cntr")
        .withName(
            AgentTemplate.job(
                    new AgentSpec(
                        AgentNames.DEFAULT_NAMESPACE, "node-1", IMAGE, Duration.ofMinutes(15)))
                .getMetadata()
                .getName())
        .edit(
            j -> {
              j.setStatus(
                  new io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder()
                      .addNewCondition()
                      .withType("Complete")
                      .withStatus("True")
                      .endCondition()
                      .build());
              return j;
            });

    Result r = run("execute", "demo-7d9f", "--", "exit", "0");

    assertThat(r.exit()).as(r.stderr()).isZero();
    assertThat(r.stderr()).contains("creating agent on node node-1");
    assertThat(cluster.agentPods())
        .extracting(p -> p.getMetadata().getName())
        .doesNotContain(agent.getMetadata().getName())
        .hasSize(1);
  }

  @Test
  void imagePullFailureIsReportedWithTheKubeletsReasonAndTheAgentRemoved() {
    cluster.agentBehaviour(AgentBehaviour.PULL_FAILS);

    Result r = run("execute", "-i", "example.org/missing:1", "demo-7d9f", "--", "exit", "0");

    assertThat(r.exit()).isEqualTo(ExitCode.AGENT_FAILED.code());
    assertThat(r.stderr())
        .containsPattern(
            "lambda-cntr: agent pod lambda-cntr/lambda-cntr-agent-node-1-[0-9a-f]+-\\w+ on node node-1"
                + " failed:"
                + " Failed to pull image \"example.org/missing:1\": rpc error: code ="
                + " NotFound desc = failed to pull and unpack image \"example.org/missing:1\": not"
                + " found; removed it");
    assertThat(cluster.agentJobs()).isEmpty();
    assertThat(cluster.agentPods()).isEmpty();
    assertThat(cluster.execLog().argv()).isEmpty();
  }

  @Test
  void debugRefusesAPodOnTheNodesNetworkUnlessAllowed() {
    Pod plain = cluster.addRunningPod("default", "host-net", "node-1", "app");
    cluster.client().pods().inNamespace("default").withName("host-net").delete();
    plain.getSpec().setHostNetwork(true);
    plain.getMetadata().setResourceVersion(null);
    cluster.addPod(plain);

    Result r = run("debug", "host-net", "--debugpy", "--local-port", "0");

    assertThat(r.exit()).as(r.stderr()).isEqualTo(ExitCode.USAGE.code());
    assertThat(r.stderr())
        .contains(
            "lambda-cntr: pod default/host-net uses the node's network: the debugger would listen"
                + " on the node's 127.0.0.1:5678")
        .contains("--allow-host-network");
    assertThat(cluster.execLog().argv()).as("nothing executed").isEmpty();
  }

  @Test
  void agentThatNeverGetsReadyTimesOutAndIsRemoved() {
    cluster.agentBehaviour(AgentBehaviour.NEVER_READY);
    Result r = run("execute", "--timeout", "1s", "demo-7d9f", "--", "exit", "0");
    assertThat(r.exit()).isEqualTo(ExitCode.TIMEOUT.code());
    assertThat(r.stderr()).contains("failed: not ready in time (ContainerCreating); removed it");
    assertThat(cluster.agentJobs()).isEmpty();
  }

  @Test
  void aSessionWhoseTargetIsDeletedMeanwhileEndsWithTargetGone() {
    cluster.addReadyAgent("node-1", IMAGE);
    cluster.whileExecuting(
        () -> cluster.client().pods().inNamespace("default").withName("demo-7d9f").delete());
    // the agent reports the killed command (SIGKILL), the watch says why
    Result r = run("execute", "demo-7d9f", "--", "exit", "137");
    assertThat(r.exit()).as(r.stderr()).isEqualTo(ExitCode.TARGET_GONE.code());
    assertThat(r.stderr())
        .contains("the session ended because its target went away: pod default/demo-7d9f");
  }

  @Test
  void remoteExitCodesPassThrough() {
    cluster.addReadyAgent("node-1", IMAGE);
    assertThat(run("execute", "demo-7d9f", "--", "exit", "0").exit()).isZero();
    assertThat(run("execute", "demo-7d9f", "--", "exit", "42").exit()).isEqualTo(42);
    assertThat(run("execute", "demo-7d9f", "--", "exit", "126").exit()).isEqualTo(126);
  }

  @Test
  void agentThatCannotRunIsAnAgentFailure() {
    cluster.addReadyAgent("node-1", IMAGE);
    Result r = run("execute", "demo-7d9f", "--", "fail", "exec: lambda-cntr-agent: not found");
    assertThat(r.exit()).isEqualTo(ExitCode.AGENT_FAILED.code());
    assertThat(r.stderr())
        .contains("could not run lambda-cntr-agent: exec: lambda-cntr-agent: not found");
  }

  @Test
  void remoteStderrGoesToStderr() {
    cluster.addReadyAgent("node-1", IMAGE);
    Result r = run("execute", "demo-7d9f", "--", "stderr", "oops");
    assertThat(r.exit()).isZero();
    assertThat(r.stdout()).isEmpty();
    assertThat(r.stderr()).isEqualTo("oops\n");
  }

  @Test
  void binaryStdinReachesTheCommandUnchangedAndItsEndIsSignalled() {
    cluster.addReadyAgent("node-1", IMAGE);
    byte[] data = new byte[3 * 1024 * 1024 + 17];
    new Random(42).nextBytes(data);
    for (int i = 0; i < 256; i++) {
      data[i] = (byte) i;
    }

    Result r = CliHarness.run(env, data, false, false, "execute", "demo-7d9f", "--", "cat");

    assertThat(r.exit()).as(r.stderr()).isZero();
    assertThat(r.stdoutBytes()).isEqualTo(data);
    assertThat(cluster.execLog().stdinClosed()).containsExactly(true);
    assertThat(cluster.execLog().tty()).containsExactly(false);
  }

  @Test
  void olderServersWithoutV5StillRunCommands() {
    cluster.addReadyAgent("node-1", IMAGE);
    cluster.v5Unsupported(true);
    Result r = run("execute", "demo-7d9f", "--", "exit", "5");
    assertThat(r.exit()).as(r.stderr()).isEqualTo(5);
  }

  @Test
  void attachWithoutTerminalRunsTheLoginShellOnStdin() {
    cluster.addReadyAgent("node-1", IMAGE);
    Result r =
        CliHarness.run(
            env,
            "echo hello\nexit 7\n".getBytes(java.nio.charset.StandardCharsets.UTF_8),
            false,
            false,
            "attach",
            "demo-7d9f");
    assertThat(r.exit()).as(r.stderr()).isEqualTo(7);
    assertThat(r.stdout()).isEqualTo("echo hello\n");
    List<String> argv = cluster.execLog().argv().get(0);
    assertThat(argv).doesNotContain("--").doesNotContain("--tty");
    assertThat(auditEvents().get(0).getMessage())
        .startsWith("kubeconfig user tester attached a debug shell to container app");
  }

  @Test
  void ttyIsRequestedWithDashTAndWhenBothEndsAreTerminals() {
    cluster.addReadyAgent("node-1", IMAGE);
    assertThat(run("execute", "-t", "demo-7d9f", "--", "exit", "0").exit()).isZero();
    // stdin a terminal but stdout redirected: no tty, so the output stays binary-safe
    CliHarness.run(env, new byte[0], true, false, "execute", "demo-7d9f", "--", "exit", "0");
    assertThat(cluster.execLog().tty()).containsExactly(true, false);
    assertThat(cluster.execLog().argv().get(0)).contains("--tty");
  }

  @Test
  void fsBackendReachesTheAgentAndTheSocketPathIsIgnoredWithAWarning() {
    Result r =
        run(
            "execute",
            "--fs",
            "fuse",
            "-s",
            "/var/run/crio/crio.sock",
            "demo-7d9f",
            "--",
            "exit",
            "0");
    assertThat(r.exit()).as(r.stderr()).isZero();
    assertThat(r.stderr())
        .contains(
            "--socket-path is deprecated and ignored: the agent finds the target by its cgroup");
    List<String> argv = cluster.execLog().argv().get(0);
    assertThat(String.join(" ", argv))
        .contains("--fs fuse")
        .doesNotContain("--socket-path")
        .doesNotContain("--runtime");
  }

  @Test
  void noNodeIsReadAndNothingOfTheHostIsMountedIntoTheAgent() {
    Result r = run("execute", "demo-7d9f", "--", "exit", "0");
    assertThat(r.exit()).as(r.stderr()).isZero();
    assertThat(cluster.calls()).noneMatch(c -> c.path().startsWith("/api/v1/nodes"));
    assertThat(cluster.agentJobs().get(0).getSpec().getTemplate().getSpec().getVolumes())
        .allMatch(v -> v.getHostPath() == null);
  }

  @Test
  void idleTimeoutReachesTheAgentsIdleProcess() {
    Result r = run("execute", "--idle-timeout", "90s", "demo-7d9f", "--", "exit", "0");
    assertThat(r.exit()).isZero();
    assertThat(
            cluster
                .agentJobs()
                .get(0)
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getCommand())
        .containsExactly("lambda-cntr-agent-idle", "--idle-timeout", "90");
  }

  @Test
  void theAuditEventNamesTheAuthenticatedUser() {
    cluster.selfSubjectUser("alice@example.org");
    assertThat(run("execute", "demo-7d9f", "--", "exit", "0").exit()).isZero();
    assertThat(auditEvents().get(0).getMessage()).startsWith("alice@example.org executed 'exit 0'");
  }

  @Test
  void forbiddenCallsNameTheVerbAndTheResource() {
    cluster.deny("GET /api/v1/namespaces/default/pods/demo");
    Result r = run("execute", "demo-7d9f", "--", "exit", "0");
    assertThat(r.exit()).isEqualTo(ExitCode.FORBIDDEN.code());
    assertThat(r.stderr())
        .startsWith(
            "lambda-cntr: forbidden: cannot get pods in namespace default (RBAC denies verb 'get' on"
                + " resource 'pods'");
  }

  @Test
  void forbiddenJobCreationIsNamed() {
    cluster.deny("POST /apis/batch/v1/namespaces/lambda-cntr/jobs");
    Result r = run("execute", "demo-7d9f", "--", "exit", "0");
    assertThat(r.exit()).isEqualTo(ExitCode.FORBIDDEN.code());
    assertThat(r.stderr()).contains("cannot create jobs.batch in namespace lambda-cntr");
  }

  @Test
  void forbiddenExecIsNamed() {
    cluster.addReadyAgent("node-1", IMAGE);
    cluster.deny("/exec\\?");
    Result r = run("execute", "demo-7d9f", "--", "exit", "0");
    assertThat(r.exit()).isEqualTo(ExitCode.FORBIDDEN.code());
    assertThat(r.stderr()).contains("cannot create pods/exec");
  }

  @Test
  void noSessionWithoutAnAuditEvent() {
    cluster.addReadyAgent("node-1", IMAGE);
    cluster.deny("POST /api/v1/namespaces/default/events");
    Result r = run("execute", "demo-7d9f", "--", "exit", "0");
    assertThat(r.exit()).isEqualTo(ExitCode.FORBIDDEN.code());
    assertThat(r.stderr())
        .contains("cannot create events in namespace default")
        .contains("lambda-cntr records every session as an event on the target pod");
    assertThat(cluster.execLog().argv()).isEmpty();
  }

  @Test
  void podNotFoundSuggestsCloseNames() {
    Result r = run("execute", "demo", "--", "exit", "0");
    assertThat(r.exit()).isEqualTo(ExitCode.POD_NOT_FOUND.code());
    assertThat(r.stderr())
        .isEqualTo("lambda-cntr: pod default/demo not found; did you mean demo-7d9f?\n");
  }

  @Test
  void containerErrorsListTheContainers() {
    cluster.addRunningPod("default", "two", "node-1", "app", "sidecar");
    Result ambiguous = run("execute", "two", "--", "exit", "0");
    assertThat(ambiguous.exit()).isEqualTo(ExitCode.CONTAINER_AMBIGUOUS.code());
    assertThat(ambiguous.stderr())
        .isEqualTo("lambda-cntr: pod default/two has 2 containers; name one of: app, sidecar\n");
    Result missing = run("execute", "two", "web", "--", "exit", "0");
    assertThat(missing.exit()).isEqualTo(ExitCode.CONTAINER_NOT_FOUND.code());
    Result named = run("execute", "two", "sidecar", "--", "exit", "0");
    assertThat(named.exit()).as(named.stderr()).isZero();
    assertThat(cluster.execLog().argv().get(0)).contains(MockCluster.containerId(1));
  }

  @Test
  void namespaceComesFromTheKubeconfigContext() throws IOException {
    cluster.addRunningPod("team", "svc", "node-1", "app");
    Path kubeconfig = cluster.writeKubeconfig(dir.resolve("team-kubeconfig"), Optional.of("team"));
    Result r = run("execute", "--kubeconfig", kubeconfig.toString(), "svc", "--", "exit", "0");
    assertThat(r.exit()).as(r.stderr()).isZero();
    Result other =
        run(
            "execute",
            "--kubeconfig",
            kubeconfig.toString(),
            "--context",
            "other",
            "svc",
            "--",
            "exit",
            "0");
    assertThat(other.stderr()).isEqualTo("lambda-cntr: pod other-ns/svc not found\n");
    Result flag =
        run(
            "execute",
            "--kubeconfig",
            kubeconfig.toString(),
            "-n",
            "default",
            "demo-7d9f",
            "--",
            "exit",
            "0");
    assertThat(flag.exit()).as(flag.stderr()).isZero();
  }

  @Test
  void imageComesFromCntrImage() {
    Map<String, String> withImage = new java.util.HashMap<>(env);
    withImage.put("CNTR_IMAGE", "example.org/tools:2");
    Result r = CliHarness.run(withImage, "execute", "demo-7d9f", "--", "exit", "0");
    assertThat(r.exit()).as(r.stderr()).isZero();
    assertThat(
            cluster
                .agentJobs()
                .get(0)
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getImage())
        .isEqualTo("example.org/tools:2");
  }

  @Test
  void cleanupRemovesEveryAgent() {
    cluster.addNode("node-2");
    cluster.addReadyAgent("node-1", IMAGE);
    cluster.addReadyAgent("node-2", IMAGE);

    Result r = run("cleanup");

    assertThat(r.exit()).as(r.stderr()).isZero();
    assertThat(phases(r.stderr()))
        .contains(
            "removed agent job lambda-cntr/" + jobName("node-1"),
            "removed agent job lambda-cntr/" + jobName("node-2"));
    assertThat(cluster.agentJobs()).isEmpty();
    assertThat(cluster.agentPods()).isEmpty();
    assertThat(phases(run("cleanup").stderr()))
        .containsExactly("no agents to remove in namespace lambda-cntr");
  }

  @Test
  void cleanupOfOneNode() {
    cluster.addNode("node-2");
    cluster.addReadyAgent("node-1", IMAGE);
    cluster.addReadyAgent("node-2", IMAGE);
    assertThat(run("cleanup", "-q", "--node", "node-2").exit()).isZero();
    assertThat(cluster.agentJobs())
        .extracting(j -> j.getMetadata().getName())
        .containsExactly(jobName("node-1"));
  }

  @Test
  void unreachableServerIsNamed() throws IOException {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path kubeconfig = dir.resolve("dead");
    java.nio.file.Files.writeString(
        kubeconfig,
        java.nio.file.Files.readString(
                env.get("KUBECONFIG") == null ? kubeconfig : Path.of(env.get("KUBECONFIG")))
            .replace(cluster.url().replaceAll("/$", ""), "http://127.0.0.1:" + port));
    Result r =
        run("execute", "--kubeconfig", kubeconfig.toString(), "demo-7d9f", "--", "exit", "0");
    assertThat(r.exit()).as(r.stderr()).isEqualTo(ExitCode.CLUSTER_UNREACHABLE.code());
    assertThat(r.stderr())
        .startsWith(
            "lambda-cntr: cannot reach the Kubernetes API server at http://127.0.0.1:" + port);
  }

  private String agentRef() {
    return "lambda-cntr/" + cluster.agentPods().get(0).getMetadata().getName();
  }

  private List<Event> auditEvents() {
    return cluster.client().v1().events().inNamespace("default").list().getItems();
  }

  /** The progress lines without their elapsed time. */
  static List<String> phases(String stderr) {
    return stderr
        .lines()
        .filter(l -> l.startsWith("lambda-cntr ["))
        .map(l -> l.replaceFirst("^lambda-cntr \\[[0-9.]+s\\] ", ""))
        .toList();
  }
}
