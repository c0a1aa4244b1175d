package dev.lambdacntr.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lambdacntr.gateway.authn.UserInfo;
import dev.lambdacntr.gateway.authz.SessionAuthorizer;
import dev.lambdacntr.gateway.policy.PolicySource;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import dev.lambdacntr.target.AuditEvents;
import dev.lambdacntr.target.Version;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodListBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The session's preparation against fabric8's mock API server (our logic, not the cluster's). */
public class SessionPreparationTest {

  static final KubernetesSerialization JSON = new KubernetesSerialization();
  static final Instant NOW = Instant.parse("2026-12-05T21:00:00Z");
  static final String IMAGE = Version.defaultImage();
  static final UserInfo DEV_A =
      new UserInfo("dev-a", List.of("team-a", "system:authenticated"), Map.of());

  public KubernetesMockServer server;
  public KubernetesClient client;

  /** What the fake RBAC allows: "user verb resource/sub group namespace". */
  public final Set<String> allowed = ConcurrentHashMap.newKeySet();

  final List<SubjectAccessReview> reviews = new CopyOnWriteArrayList<>();
  public final List<Event> events = new CopyOnWriteArrayList<>();
  public SessionPreparation preparation;

  /** The policy ConfigMap; without data it is the defaults. */
  volatile ConfigMap policy =
      new ConfigMapBuilder().withNewMetadata().withName("lambda-cntr-policy").endMetadata().build();

  @BeforeEach
  void start() {
    start("10.0.0.7");
  }

  /** The mock API with a node agent at {@code agentIp}. */
  public void start(String agentIp) {
    server = new KubernetesMockServer(false);
    server.init();
    client = server.createClient();
    server
        .expect()
        .post()
        .withPath("/apis/authorization.k8s.io/v1/subjectaccessreviews")
        .andReply(
            201,
            request -> {
              SubjectAccessReview review =
                  JSON.unmarshal(request.getBody().readUtf8(), SubjectAccessReview.class);
              reviews.add(review);
              var a = review.getSpec().getResourceAttributes();
              String key =
                  review.getSpec().getUser()
                      + " "
                      + a.getVerb()
                      + " "
                      + a.getResource()
                      + "/"
                      + a.getSubresource()
                      + " "
                      + a.getGroup()
                      + " "
                      + a.getNamespace();
              review.setStatus(
                  new SubjectAccessReviewStatus(allowed.contains(key), false, null, null));
              return review;
            })
        .always();
    server
        .expect()
        .post()
        .withPath("/api/v1/namespaces/team-a/events")
        .andReply(
            201,
            request -> {
              Event event = JSON.unmarshal(request.getBody().readUtf8(), Event.class);
              events.add(event);
              return event;
            })
        .always();
    server
        .expect()
        .get()
        .withPath("/api/v1/namespaces/lambda-cntr/configmaps/lambda-cntr-policy")
        .andReply(200, request -> policy)
        .always();
    server
        .expect()
        .get()
        .withPath("/api/v1/namespaces/lambda-cntr/pods?fieldSelector=spec.nodeName%3Dnode-1")
        .andReturn(200, new PodListBuilder().withItems(agentPod(IMAGE, agentIp)).build())
        .always();
    preparation =
        new SessionPreparation(
            client,
            new SessionAuthorizer(client),
            new PolicySource(client, "lambda-cntr", () -> NOW),
            new NodeAgents(client, "lambda-cntr"),
            () -> NOW);
  }

  @AfterEach
  public void stop() {
    client.close();
    server.destroy();
  }

  public void allowDevA() {
    allowed.add("dev-a create pods/exec  team-a");
    allowed.add("dev-a create pods/exec cntr.lambda-cntr.dev team-a");
    allowed.add("dev-a create pods/attach cntr.lambda-cntr.dev team-a");
  }

  public void pod(Pod pod) {
    server
        .expect()
        .get()
        .withPath("/api/v1/namespaces/team-a/pods/" + pod.getMetadata().getName())
        .andReturn(200, pod)
        .always();
  }

  SessionQuery execute(String pod, String... command) {
    return new SessionQuery(
        "team-a",
        pod,
        "exec",
        Optional.empty(),
        List.of(command),
        false,
        "mount",
        Optional.empty(),
        false,
        Optional.empty(),
        false);
  }

  @Test
  void anAuthorisedSessionIsRecordedAndAddressedToTheNodesAgent() {
    allowDevA();
    pod(runningPod("web-1"));
    PreparedSession session =
        preparation.prepare(DEV_A, execute("web-1", "sh", "-c", "echo 'a b'"));

    assertThat(session.agentIp()).isEqualTo("10.0.0.7");
    assertThat(session.agentPod()).isEqualTo("lambda-cntr/lambda-cntr-node-agent-x1");
    assertThat(session.agentUri())
        .isEqualTo(
            "/v1/sessions?containerId=abc123&podUid=uid-1&tty=false&fs=mount"
                + "&command=sh&command=-c&command=echo%20%27a%20b%27");
    assertThat(reviews)
        .extracting(r -> r.getSpec().getResourceAttributes().getName())
        .containsOnly("web-1");
    assertThat(reviews)
        .allSatisfy(
            r ->
                assertThat(r.getSpec().getGroups())
                    .containsExactly("team-a", "system:authenticated"));

    assertThat(events).hasSize(1);
    Event event = events.get(0);
    assertThat(event.getReason()).isEqualTo("LambdaCntrExecute");
    assertThat(event.getInvolvedObject().getUid()).isEqualTo("uid-1");
    assertThat(event.getMessage())
        .startsWith("dev-a (groups team-a, system:authenticated) executed");
    assertThat(event.getMetadata().getAnnotations())
        .containsEntry(GatewayAuditEvent.USER, "dev-a")
        .containsEntry(GatewayAuditEvent.GROUPS, "[\"team-a\",\"system:authenticated\"]")
        .containsEntry(GatewayAuditEvent.COMMAND, "[\"sh\",\"-c\",\"echo 'a b'\"]")
        .containsEntry(GatewayAuditEvent.IMAGE, IMAGE)
        .containsEntry(GatewayAuditEvent.NODE, "node-1");
  }

  @Test
  void withoutPodsExecTheUserIsRefusedBeforeThePodIsRead() throws InterruptedException {
    allowed.add("dev-a create pods/exec cntr.lambda-cntr.dev team-a");
    assertRefused(
        () -> preparation.prepare(DEV_A, execute("web-1", "ls")),
        ExitCode.FORBIDDEN,
        "user \"dev-a\" cannot create pods/exec in namespace \"team-a\"");
    // the two reviews go out together and the refusal does not wait for the second (CI saw one
    // request once): reviews only, no pod read
    int requests = server.getRequestCount();
    assertThat(requests).isBetween(1, 2);
    for (int i = 0; i < requests; i++) {
      assertThat(server.takeRequest(5, TimeUnit.SECONDS).getPath())
          .contains("/subjectaccessreviews");
    }
    assertThat(events).isEmpty();
  }

  @Test
  void withoutTheGatewaysSubresourceTheUserIsRefused() {
    allowed.add("dev-a create pods/exec  team-a");
    assertRefused(
        () -> preparation.prepare(DEV_A, execute("web-1", "ls")),
        ExitCode.FORBIDDEN,
        "user \"dev-a\" cannot create pods/exec.cntr.lambda-cntr.dev in namespace \"team-a\"");
  }

  @Test
  void aMissingPodIsRefusedAsTheCliRefusesIt() {
    allowDevA();
    server
        .expect()
        .get()
        .withPath("/api/v1/namespaces/team-a/pods/gone")
        .andReturn(404, null)
        .always();
    assertRefused(
        () -> preparation.prepare(DEV_A, execute("gone", "ls")),
        ExitCode.POD_NOT_FOUND,
        "pod team-a/gone not found");
  }

  @Test
  void aPendingPodIsRefusedAsTheCliRefusesIt() {
    allowDevA();
    pod(new PodBuilder(runningPod("web-2")).editStatus().withPhase("Pending").endStatus().build());
    assertRefused(
        () -> preparation.prepare(DEV_A, execute("web-2", "ls")),
        ExitCode.POD_NOT_RUNNING,
        "pod team-a/web-2 is Pending");
  }

  @Test
  void anUnknownContainerIsRefusedAsTheCliRefusesIt() {
    allowDevA();
    pod(runningPod("web-3"));
    SessionQuery query =
        new SessionQuery(
            "team-a",
            "web-3",
            "attach",
            Optional.of("sidecar"),
            List.of(),
            true,
            "mount",
            Optional.empty(),
            false,
            Optional.empty(),
            false);
    assertRefused(
        () -> preparation.prepare(DEV_A, query),
        ExitCode.CONTAINER_NOT_FOUND,
        "pod team-a/web-3 has no container sidecar; its containers: app");
    assertThat(events).isEmpty();
  }

  @Test
  void anImageOutsideThePolicyIsRefusedNamingThePolicy() {
    allowDevA();
    pod(runningPod("web-4"));
    SessionQuery query =
        new SessionQuery(
            "team-a",
            "web-4",
            "attach",
            Optional.empty(),
            List.of(),
            true,
            "mount",
            Optional.of("evil/tools:1"),
            false,
            Optional.empty(),
            false);
    assertRefused(
        () -> preparation.prepare(DEV_A, query),
        ExitCode.FORBIDDEN,
        "image evil/tools:1 is not allowed by policy lambda-cntr/lambda-cntr-policy");
    assertThat(events).isEmpty();
  }

  @Test
  void fuseIsRefusedWhenThePolicySaysSo() {
    policy = new ConfigMapBuilder(policy).addToData("allowFuse", "false").build();
    allowDevA();
    pod(runningPod("web-5"));
    SessionQuery query =
        new SessionQuery(
            "team-a",
            "web-5",
            "attach",
            Optional.empty(),
            List.of(),
            true,
            "fuse",
            Optional.empty(),
            false,
            Optional.empty(),
            false);
    assertRefused(
        () -> preparation.prepare(DEV_A, query),
        ExitCode.FORBIDDEN,
        "--fs fuse is not allowed by policy lambda-cntr/lambda-cntr-policy (allowFuse: false)");
  }

  SessionQuery executeWithReason(String pod, Optional<String> reason, String... command) {
    return new SessionQuery(
        "team-a",
        pod,
        "exec",
        Optional.empty(),
        List.of(command),
        false,
        "mount",
        Optional.empty(),
        false,
        reason,
        false);
  }

  @Test
  void aPolicyRequiringAReasonRefusesASessionWithoutOneBeforeAnythingIsRecorded() {
    policy = new ConfigMapBuilder(policy).addToData("requireReason", "true").build();
    allowDevA();
    pod(runningPod("web-7"));
    assertRefused(
        () -> preparation.prepare(DEV_A, executeWithReason("web-7", Optional.empty(), "ls")),
        ExitCode.REASON_REQUIRED,
        "a reason is required by policy lambda-cntr/lambda-cntr-policy (requireReason: true):"
            + " say why with --reason TEXT");
    assertThat(events).isEmpty();
  }

  @Test
  void theReasonIsRecordedInTheEvent() {
    policy = new ConfigMapBuilder(policy).addToData("requireReason", "true").build();
    allowDevA();
    pod(runningPod("web-8"));
    preparation.prepare(DEV_A, executeWithReason("web-8", Optional.of("INC-4711: 502s"), "ls"));

    assertThat(events).hasSize(1);
    Event event = events.get(0);
    assertThat(event.getMessage()).endsWith(", reason: \"INC-4711: 502s\"");
    assertThat(event.getMetadata().getAnnotations())
        .containsEntry(AuditEvents.REASON_ANNOTATION, "INC-4711: 502s")
        .containsEntry(GatewayAuditEvent.USER, "dev-a");
  }

  @Test
  void anImageTheNodeAgentDoesNotRunIsRefused() {
    policy =
        new ConfigMapBuilder(policy)
            .addToData("allowedImages", "registry.example/tools/*\n")
            .addToData("defaultImage", "registry.example/tools/debug:2")
            .build();
    allowDevA();
    pod(runningPod("web-6"));
    assertRefused(
        () -> preparation.prepare(DEV_A, execute("web-6", "ls")),
        ExitCode.USAGE,
        "image registry.example/tools/debug:2 is not served on node node-1: its node agent"
            + " lambda-cntr/lambda-cntr-node-agent-x1 runs "
            + IMAGE);
  }

  void assertRefused(Runnable body, ExitCode code, String message) {
    assertThatThrownBy(body::run)
        .isInstanceOf(CntrException.class)
        .hasMessageContaining(message)
        .extracting(e -> ((CntrException) e).exitCode())
        .isEqualTo(code);
  }

  public static Pod runningPod(String name) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("team-a")
        .withUid("uid-1")
        .endMetadata()
        .withNewSpec()
        .withNodeName("node-1")
        .addNewContainer()
        .withName("app")
        .withImage("app:1")
        .endContainer()
        .endSpec()
        .withNewStatus()
        .withPhase("Running")
        .addNewContainerStatus()
        .withName("app")
        .withContainerID("containerd://abc123")
        .withNewState()
        .withNewRunning()
        .endRunning()
        .endState()
        .endContainerStatus()
        .endStatus()
        .build();
  }

  public static Pod agentPod(String image) {
    return agentPod(image, "10.0.0.7");
  }

  /** A ready node agent pod on node-1 at {@code ip}. */
  public static Pod agentPod(String image, String ip) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("lambda-cntr-node-agent-x1")
        .withNamespace("lambda-cntr")
        .withCreationTimestamp("2026-12-05T20:00:00Z")
        .addNewOwnerReference()
        .withApiVersion("apps/v1")
        .withKind("DaemonSet")
        .withName("lambda-cntr-node-agent")
        .withController(true)
        .withUid("ds-uid")
        .endOwnerReference()
        .endMetadata()
        .withNewSpec()
        .withNodeName("node-1")
        .addNewContainer()
        .withName("agent")
        .withImage(image)
        .endContainer()
        .endSpec()
        .withNewStatus()
        .withPhase("Running")
        .withPodIP(ip)
        .addNewCondition()
        .withType("Ready")
        .withStatus("True")
        .endCondition()
        .endStatus()
        .build();
  }
}
