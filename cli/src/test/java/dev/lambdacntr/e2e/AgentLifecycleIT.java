package dev.lambdacntr.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The agents' life: created cold on a target's node, reused warm (the second session creates no pod
 * or Job and prints nothing), one per node, removed by {@code cleanup} (all, or one node's), and
 * gone on their own after the idle timeout, never under an open session; an agent for another image
 * starts beside one that carries a session and never replaces it; a pod that only looks like an
 * agent (its name and labels, no owning Job) is never used. Every test uses an agent namespace of
 * its own, so each starts with no agent whatever ran before. Direct mode only, by design: server
 * mode's node agents are install's DaemonSet, with no Jobs, idle timeout or cleanup.
 */
@Tag("direct-only")
class AgentLifecycleIT {

  private static final String AGENT_SELECTOR = "app.kubernetes.io/name";
  private static final String AGENT = "lambda-cntr-agent";
  private static final Duration GONE = Duration.ofSeconds(90);

  static TestCluster cluster;
  static E2eNamespace namespace;
  static Target one;
  static Target two;

  @BeforeAll
  static void start() {
    cluster = TestCluster.get();
    namespace = cluster.namespace("agents");
    one = Target.busybox(cluster, namespace.name(), "one", cluster.firstNode());
  }

  /** A target on the second node, created by the first test that needs it. */
  static synchronized Target two() {
    if (two == null) {
      two = Target.busybox(cluster, namespace.name(), "two", cluster.secondNode());
    }
    return two;
  }

  @AfterAll
  static void targetsUnchangedThenCleanUp() {
    try {
      for (Target target : new Target[] {one, two}) {
        if (target != null) {
          target.assertUnchanged();
        }
      }
    } finally {
      if (namespace != null) {
        namespace.close();
      }
    }
  }

  private static LambdaCntr lambdaCntr(String purpose) {
    return new LambdaCntr(cluster.settings(), namespace.name(), namespace.agentNamespace(purpose));
  }

  private static List<Pod> agentPods(String agentNamespace) {
    return cluster
        .client()
        .pods()
        .inNamespace(agentNamespace)
        .withLabel(AGENT_SELECTOR, AGENT)
        .list()
        .getItems();
  }

  private static List<Job> agentJobs(String agentNamespace) {
    return cluster
        .client()
        .batch()
        .v1()
        .jobs()
        .inNamespace(agentNamespace)
        .withLabel(AGENT_SELECTOR, AGENT)
        .list()
        .getItems();
  }

  private static List<String> uids(List<Pod> pods) {
    return pods.stream().map(p -> p.getMetadata().getUid()).sorted().toList();
  }

  private static void assertSucceeded(LambdaCntr.Result r) {
    assertThat(r.exit()).as(r.toString()).isZero();
  }

  @Test
  void theSecondSessionOnANodeReusesItsAgentAndCreatesNothing() {
    LambdaCntr lambdaCntr = lambdaCntr("warm");
    LambdaCntr.Result cold = lambdaCntr.execute(one.name(), "true");
    assertSucceeded(cold);
    assertThat(cold.stderr())
        .as("a cold start explains itself: %s", cold)
        .contains("creating agent on node " + one.node());
    List<Pod> agents = agentPods(lambdaCntr.agentNamespace());
    assertThat(agents).hasSize(1);

    try (AgentWatch watch = new AgentWatch(cluster.client(), lambdaCntr.agentNamespace())) {
      LambdaCntr.Result attach =
          lambdaCntr.attachPiped(List.of(), one.name(), "echo warm-$((40 + 2))\nexit\n");
      assertSucceeded(attach);
      assertThat(attach.stdout()).as(attach.toString()).contains("warm-42");
      assertThat(attach.stderr()).as("a warm start prints nothing: %s", attach).isEmpty();
      LambdaCntr.Result execute = lambdaCntr.execute(one.name(), "true");
      assertSucceeded(execute);
      assertThat(execute.stderr()).as("a warm start prints nothing: %s", execute).isEmpty();

      TestCluster.sleep(Duration.ofSeconds(1)); // a late creation would show by now
      watch.assertStillWatching();
      assertThat(watch.podsCreated()).as("pods created by the warm sessions").isEmpty();
      assertThat(watch.jobsCreated()).as("Jobs created by the warm sessions").isEmpty();
    }
    assertThat(uids(agentPods(lambdaCntr.agentNamespace()))).isEqualTo(uids(agents));
  }

  @Test
  void aSecondNodeGetsAnAgentOfItsOwn() {
    LambdaCntr lambdaCntr = lambdaCntr("nodes");
    Target two = two();
    assertSucceeded(lambdaCntr.execute(one.name(), "true"));
    List<Pod> first = agentPods(lambdaCntr.agentNamespace());
    assertThat(first).extracting(p -> p.getSpec().getNodeName()).containsExactly(one.node());

    try (AgentWatch watch = new AgentWatch(cluster.client(), lambdaCntr.agentNamespace())) {
      LambdaCntr.Result r = lambdaCntr.execute(two.name(), "hostname");
      assertSucceeded(r);
      assertThat(r.stdout()).isEqualTo("two\n");
      assertThat(r.stderr()).contains("creating agent on node " + two.node());
      watch.assertStillWatching();
      assertThat(watch.podsCreated())
          .as("pods created for the second node")
          .extracting(p -> p.getSpec().getNodeName())
          .containsExactly(two.node());
    }
    List<Pod> both = agentPods(lambdaCntr.agentNamespace());
    assertThat(both)
        .extracting(p -> p.getSpec().getNodeName())
        .containsExactlyInAnyOrder(one.node(), two.node());
    assertThat(both).extracting(p -> p.getMetadata().getUid()).contains(uid(first.get(0)));
    assertThat(agentJobs(lambdaCntr.agentNamespace()))
        .extracting(j -> j.getMetadata().getName().replaceAll("-[0-9a-f]{12}$", ""))
        .containsExactlyInAnyOrder(
            "lambda-cntr-agent-" + one.node(), "lambda-cntr-agent-" + two.node());
  }

  private static String uid(Pod pod) {
    return pod.getMetadata().getUid();
  }

  @Test
  void cleanupRemovesOneNodesAgentThenAll() {
    LambdaCntr lambdaCntr = lambdaCntr("cleanup");
    Target two = two();
    assertSucceeded(lambdaCntr.execute(one.name(), "true"));
    assertSucceeded(lambdaCntr.execute(two.name(), "true"));
    String agents = lambdaCntr.agentNamespace();
    Pod firstAgent =
        agentPods(agents).stream()
            .filter(p -> p.getSpec().getNodeName().equals(one.node()))
            .findFirst()
            .orElseThrow();

    LambdaCntr.Result node =
        lambdaCntr.run("cleanup", "--agent-namespace", agents, "--node", two.node());
    assertSucceeded(node);
    assertThat(node.stderr())
        .contains("removed agent job " + agents + "/lambda-cntr-agent-" + two.node() + "-");
    TestCluster.eventually(
        GONE,
        "the agent of " + two.node() + " removed",
        () ->
            agentPods(agents).stream().noneMatch(p -> p.getSpec().getNodeName().equals(two.node()))
                && agentJobs(agents).size() == 1,
        () -> "agent pods " + agentPods(agents) + ", jobs " + agentJobs(agents));
    assertThat(agentPods(agents))
        .extracting(AgentLifecycleIT::uid)
        .containsExactly(uid(firstAgent));

    LambdaCntr.Result all = lambdaCntr.run("cleanup", "--agent-namespace", agents);
    assertSucceeded(all);
    assertThat(all.stderr())
        .contains("removed agent job " + agents + "/lambda-cntr-agent-" + one.node() + "-");
    TestCluster.eventually(
        GONE,
        "every agent removed",
        () -> agentPods(agents).isEmpty() && agentJobs(agents).isEmpty(),
        () -> "agent pods " + agentPods(agents) + ", jobs " + agentJobs(agents));

    LambdaCntr.Result nothing = lambdaCntr.run("cleanup", "--agent-namespace", agents);
    assertSucceeded(nothing);
    assertThat(nothing.stderr()).contains("no agents to remove in namespace " + agents);
  }

  @Test
  void anIdleAgentEndsOnItsOwnButNeverUnderAnOpenSession() {
    LambdaCntr lambdaCntr = lambdaCntr("expiry");
    String agents = lambdaCntr.agentNamespace();
    try (AgentWatch watch = new AgentWatch(cluster.client(), agents)) {
      // The first session creates the agent and outlives its idle timeout: the agent stays.
      LambdaCntr.Result session =
          lambdaCntr.execute(
              List.of("--idle-timeout", "3s"),
              List.of(one.name()),
              "sh",
              "-c",
              "sleep 7; echo still-here");
      assertSucceeded(session);
      assertThat(session.stdout()).isEqualTo("still-here\n");
      assertThat(session.stderr()).contains("creating agent on node " + one.node());
      List<Pod> created = watch.podsCreated();
      assertThat(created).as("agent pods created").hasSize(1);
      String agent = created.get(0).getMetadata().getName();

      // Then, idle, it ends by itself: no cleanup, no other session.
      TestCluster.eventually(
          GONE,
          "the idle agent's Job and pod gone",
          () -> agentPods(agents).isEmpty() && agentJobs(agents).isEmpty(),
          () -> "agent pods " + agentPods(agents) + ", jobs " + agentJobs(agents));
      watch.assertStillWatching();
      assertThat(watch.phasesOf(agent))
          .as("phases of agent pod %s: its main process exited 0 by itself", agent)
          .contains("Succeeded")
          .doesNotContain("Failed");
      assertThat(watch.podsCreated()).as("agent pods created").hasSize(1);
    }
  }

  @Test
  void anAgentForAnotherImageStartsBesideTheOneCarryingASession() {
    LambdaCntr lambdaCntr = lambdaCntr("images");
    String agents = lambdaCntr.agentNamespace();
    assertSucceeded(lambdaCntr.execute(one.name(), "true"));
    Pod first = agentPods(agents).get(0);
    // the same debug image under another name: its ID as the kubelet reports it, already present
    String otherName = first.getStatus().getContainerStatuses().get(0).getImageID();
    assertThat(otherName).isNotBlank().isNotEqualTo(cluster.settings().debugImage());

    try (RunningCli session =
        RunningCli.start(
            lambdaCntr,
            lambdaCntr.session(
                "execute",
                List.of(),
                List.of(one.name()),
                List.of("sh", "-c", "echo started; sleep 12; echo finished; exit 7")))) {
      session.awaitLine("started (the first session runs)", "started"::equals, GONE);

      LambdaCntr.Result other =
          lambdaCntr.execute(List.of("-i", otherName), List.of(one.name()), "echo", "other");
      assertSucceeded(other);
      assertThat(other.stdout()).isEqualTo("other\n");
      assertThat(other.stderr())
          .as("the other image's agent is created, not the first one replaced: %s", other)
          .contains("creating agent on node " + one.node())
          .doesNotContain("replacing");
      assertThat(agentPods(agents))
          .as("both agents on node %s while the first session runs", one.node())
          .extracting(AgentLifecycleIT::uid)
          .contains(uid(first))
          .hasSize(2);

      assertThat(session.awaitExit(GONE))
          .as("the first session's own status: %s", session)
          .isEqualTo(7);
      // RunningCli joins the lines it read, without a final newline
      assertThat(session.stdout()).as(session.toString()).isEqualTo("started\nfinished");
    }
    assertThat(agentJobs(agents))
        .extracting(j -> j.getMetadata().getName())
        .hasSize(2)
        .allMatch(n -> n.startsWith("lambda-cntr-agent-" + one.node() + "-"));
  }

  @Test
  void aPodThatOnlyLooksLikeTheAgentIsNeverUsed() {
    LambdaCntr lambdaCntr = lambdaCntr("forged");
    String agents = lambdaCntr.agentNamespace();
    assertSucceeded(lambdaCntr.execute(one.name(), "true"));
    Pod real = agentPods(agents).get(0);
    String realJob = real.getMetadata().getOwnerReferences().get(0).getName();
    // The agent's Job goes; a pod with the same name, labels and spec but no owner takes its place.
    cluster.client().batch().v1().jobs().inNamespace(agents).withName(realJob).delete();
    TestCluster.eventually(
        GONE,
        "the real agent gone",
        () -> agentPods(agents).isEmpty() && agentJobs(agents).isEmpty(),
        () -> "agent pods " + agentPods(agents) + ", jobs " + agentJobs(agents));
    Pod forged =
        new PodBuilder()
            .withNewMetadata()
            .withName(real.getMetadata().getName())
            .withNamespace(agents)
            .withLabels(real.getMetadata().getLabels())
            .endMetadata()
            .withSpec(real.getSpec())
            .build();
    cluster.client().pods().inNamespace(agents).resource(forged).create();
    cluster
        .client()
        .pods()
        .inNamespace(agents)
        .withName(forged.getMetadata().getName())
        .waitUntilReady(GONE.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);

    LambdaCntr.Result r = lambdaCntr.execute(List.of("-v"), List.of(one.name()), "echo", "ok");

    assertSucceeded(r);
    assertThat(r.stdout()).isEqualTo("ok\n");
    assertThat(r.stderr())
        .as(r.toString())
        .contains(
            "not using pod "
                + agents
                + "/"
                + forged.getMetadata().getName()
                + " on node "
                + one.node()
                + ": no Job owns it")
        .contains("creating agent on node " + one.node())
        .doesNotContain("via agent " + agents + "/" + forged.getMetadata().getName() + "\n");
    assertThat(agentPods(agents))
        .extracting(p -> p.getMetadata().getName())
        .contains(forged.getMetadata().getName())
        .hasSize(2);
    cluster.client().pods().inNamespace(agents).withName(forged.getMetadata().getName()).delete();
  }
}
