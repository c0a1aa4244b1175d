package dev.lambdacntr.cli.testing;

import dev.lambdacntr.cli.agent.AgentNames;
import dev.lambdacntr.cli.agent.AgentSpec;
import dev.lambdacntr.cli.agent.AgentTemplate;
import dev.lambdacntr.cli.exec.GatewayRequest;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fabric8 mock API server in CRUD mode plus the two controllers the CLI relies on, played by test
 * code: a Job controller that creates the agent pod from the Job's template (and removes it with
 * the Job), and a kubelet that moves it to Ready, or fails it the way a real kubelet reports a
 * failure (status and Warning events). Execs are answered by {@link FakeAgentExec}. For unit tests
 * of the CLI's own logic only: the real cluster is tested end to end elsewhere.
 */
public final class MockCluster implements AutoCloseable {

  /** How the fake kubelet treats new agent pods. */
  public enum AgentBehaviour {
    READY,
    PULL_FAILS,
    NEVER_READY
  }

  /** What the fake agent saw. */
  public record ExecLog(
      List<List<String>> argv,
      List<Boolean> tty,
      List<String> resizes,
      List<Boolean> stdinClosed) {}

  /** One request the server received. */
  public record Call(String method, String path, long nanos) {}

  private static final String CLI_TOKEN = "Bearer secret-token";

  private final KubernetesMockServer server;
  private final NamespacedKubernetesClient client;
  private final List<Call> calls = new CopyOnWriteArrayList<>();
  private final List<Pattern> denied = new CopyOnWriteArrayList<>();
  private final ExecLog execLog =
      new ExecLog(
          new CopyOnWriteArrayList<>(),
          new CopyOnWriteArrayList<>(),
          new CopyOnWriteArrayList<>(),
          new CopyOnWriteArrayList<>());
  private volatile AgentBehaviour behaviour = AgentBehaviour.READY;
  private volatile boolean v5Unsupported;
  private volatile boolean serverMode;
  private volatile Runnable whileExecuting = () -> {};
  private volatile Optional<String> selfSubjectUser = Optional.empty();
  private volatile boolean closed;
  private static final Pattern NAMESPACED = Pattern.compile("^/apis?/.*?/namespaces/([^/?]+)/");
  private final Set<String> namespaces = ConcurrentHashMap.newKeySet();

  static {
    offerV5ChannelProtocol();
  }

  /**
   * The mock web server negotiates only v1-v4 of the exec channel protocol; real API servers
   * (1.30+) also speak v5, which the CLI asks for and kubectl insists on. Its protocol list is a
   * mutable array: the unused v1 slot becomes v5.
   */
  private static void offerV5ChannelProtocol() {
    try {
      java.lang.reflect.Field f =
          MockWebServer.class.getDeclaredField("SUPPORTED_WEBSOCKET_SUB_PROTOCOLS");
      f.setAccessible(true);
      String[] protocols = (String[]) f.get(null);
      protocols[0] = "v5.channel.k8s.io";
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot offer v5.channel.k8s.io on the mock server", e);
    }
  }

  public MockCluster() {
    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    KubernetesMixedDispatcher crud = new KubernetesMixedDispatcher(responses);
    Dispatcher dispatcher =
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            return MockCluster.this.dispatch(request, crud);
          }
        };
    server =
        new KubernetesMockServer(new Context(), new MockWebServer(), responses, dispatcher, true);
    server.init();
    namespaces.add("default");
    client = server.createClient();
    startControllers();
  }

  private MockResponse dispatch(RecordedRequest request, KubernetesMixedDispatcher crud) {
    String path = request.getPath();
    if (CLI_TOKEN.equals(request.getHeader("Authorization"))) {
      calls.add(new Call(request.getMethod(), path, System.nanoTime()));
    }
    String line = request.getMethod() + " " + path;
    for (Pattern p : denied) {
      if (p.matcher(line).find()) {
        return status(403, "Forbidden", "forbidden by the test: " + line);
      }
    }
    Matcher namespaced = NAMESPACED.matcher(path);
    if (request.getMethod().equals("POST")
        && namespaced.find()
        && !namespaces.contains(namespaced.group(1))) {
      return status(404, "NotFound", "namespaces \\\"" + namespaced.group(1) + "\\\" not found");
    }
    if (request.getMethod().equals("POST")
        && (path.startsWith("/api/v1/namespaces?") || path.equals("/api/v1/namespaces"))) {
      Matcher name =
          Pattern.compile("\"name\"\\s*:\\s*\"([^\"]+)\"")
              .matcher(new String(request.getBody().getBytes(), StandardCharsets.UTF_8));
      if (name.find()) {
        namespaces.add(name.group(1));
      }
    }
    if (request.getMethod().equals("GET") && DISCOVERY.containsKey(path.replaceAll("\\?.*", ""))) {
      return new MockResponse()
          .setResponseCode(200)
          .setHeader("Content-Type", "application/json")
          .setBody(DISCOVERY.get(path.replaceAll("\\?.*", "")));
    }
    if (path.startsWith(GatewayRequest.DISCOVERY)) {
      return gateway(path);
    }
    int exec = path.indexOf("/exec?");
    if (exec >= 0) {
      String protocol = request.getHeader("Sec-WebSocket-Protocol");
      if (v5Unsupported && protocol != null && protocol.contains("v5")) {
        return status(
            400, "BadRequest", "requested protocol(s) are not supported: [" + protocol + "]");
      }
      return new MockResponse()
          .withWebSocketUpgrade(
              new FakeAgentExec(path.substring(exec + 6), execLog, whileExecuting));
    }
    if (path.startsWith("/apis/authentication.k8s.io/v1/selfsubjectreviews")
        && selfSubjectUser.isPresent()) {
      return new MockResponse()
          .setResponseCode(201)
          .setBody(
              "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"SelfSubjectReview\","
                  + "\"status\":{\"userInfo\":{\"username\":\""
                  + selfSubjectUser.get()
                  + "\"}}}");
    }
    return crud.dispatch(request);
  }

  /**
   * Server mode's API group: without {@link #serverMode} not served (no {@code lambda-cntr
   * install}: {@code --mode auto} chooses direct); with it, its discovery and a session on a pod's
   * {@code exec} or {@code attach} subresource, answered by the fake agent as the gateway's node
   * agent would (the command in {@code command} parameters).
   */
  private MockResponse gateway(String path) {
    if (!serverMode) {
      return status(404, "NotFound", "the server could not find the requested resource");
    }
    String resource = path.replaceAll("\\?.*", "");
    if (resource.equals(GatewayRequest.DISCOVERY)) {
      return new MockResponse()
          .setResponseCode(200)
          .setHeader("Content-Type", "application/json")
          .setBody(
              "{\"kind\":\"APIResourceList\",\"apiVersion\":\"v1\",\"groupVersion\":\""
                  + GatewayRequest.GROUP_VERSION
                  + "\",\"resources\":[]}");
    }
    int query = path.indexOf('?');
    if (resource.matches(".*/namespaces/[^/]+/pods/[^/]+/(exec|attach)") && query > 0) {
      return new MockResponse()
          .withWebSocketUpgrade(
              new FakeAgentExec(path.substring(query + 1), execLog, whileExecuting));
    }
    return status(404, "NotFound", "the server could not find the requested resource");
  }

  /** Just enough discovery for kubectl (the benchmarks' baseline) to find pods. */
  private static final Map<String, String> DISCOVERY =
      Map.of(
          "/api",
          "{\"kind\":\"APIVersions\",\"versions\":[\"v1\"],\"serverAddressByClientCIDRs\":[]}",
          "/apis",
          "{\"kind\":\"APIGroupList\",\"apiVersion\":\"v1\",\"groups\":[]}",
          "/api/v1",
          "{\"kind\":\"APIResourceList\",\"groupVersion\":\"v1\",\"resources\":["
              + "{\"name\":\"pods\",\"singularName\":\"pod\",\"namespaced\":true,\"kind\":\"Pod\","
              + "\"verbs\":[\"get\",\"list\",\"create\",\"delete\"],\"shortNames\":[\"po\"]},"
              + "{\"name\":\"pods/exec\",\"singularName\":\"\",\"namespaced\":true,\"kind\":\"PodExecOptions\","
              + "\"verbs\":[\"create\",\"get\"]}]}");

  private static MockResponse status(int code, String reason, String message) {
    return new MockResponse()
        .setResponseCode(code)
        .setHeader("Content-Type", "application/json")
        .setBody(
            "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":\""
                + message
                + "\",\"reason\":\""
                + reason
                + "\",\"code\":"
                + code
                + "}");
  }

  // --- the controllers ------------------------------------------------------------------------

  /**
   * The Job controller, polling (a long-lived watch on the mock server can stall its event loop): a
   * new Job gets its pod, a deleted Job loses it.
   */
  private void startControllers() {
    Thread.ofPlatform()
        .daemon()
        .name("fake-job-controller")
        .start(
            () -> {
              Map<String, Job> known = new HashMap<>();
              while (!closed) {
                try {
                  List<Job> jobs = client.batch().v1().jobs().inAnyNamespace().list().getItems();
                  Map<String, Job> now = new HashMap<>();
                  jobs.forEach(j -> now.put(j.getMetadata().getUid(), j));
                  now.forEach(
                      (uid, job) -> {
                        if (!known.containsKey(uid)) {
                          Thread.ofPlatform().daemon().start(() -> runAgent(job));
                        }
                      });
                  known.forEach(
                      (uid, job) -> {
                        if (!now.containsKey(uid)) {
                          client
                              .pods()
                              .inNamespace(job.getMetadata().getNamespace())
                              .list()
                              .getItems()
                              .stream()
                              .filter(p -> ownedBy(p, job))
                              .forEach(p -> client.resource(p).delete());
                        }
                      });
                  known.clear();
                  known.putAll(now);
                  Thread.sleep(10);
                } catch (InterruptedException e) {
                  return;
                } catch (RuntimeException e) {
                  if (closed) {
                    return;
                  }
                }
              }
            });
  }

  private static boolean ownedBy(Pod pod, Job job) {
    return Optional.ofNullable(pod.getMetadata().getOwnerReferences()).orElse(List.of()).stream()
        .anyMatch(o -> o.getUid().equals(job.getMetadata().getUid()));
  }

  private void runAgent(Job job) {
    String ns = job.getMetadata().getNamespace();
    String name =
        job.getMetadata().getName()
            + "-"
            + Integer.toString(
                ThreadLocalRandom.current().nextInt(36 * 36 * 36 * 36, 36 * 36 * 36 * 36 * 36), 36);
    Map<String, String> labels =
        new HashMap<>(job.getSpec().getTemplate().getMetadata().getLabels());
    labels.put("job-name", job.getMetadata().getName());
    labels.put("batch.kubernetes.io/job-name", job.getMetadata().getName());
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(ns)
            .withLabels(labels)
            .withAnnotations(job.getSpec().getTemplate().getMetadata().getAnnotations())
            .withCreationTimestamp(Instant.now().toString())
            .addNewOwnerReference()
            .withApiVersion("batch/v1")
            .withKind("Job")
            .withName(job.getMetadata().getName())
            .withUid(job.getMetadata().getUid())
            .withController(true)
            .endOwnerReference()
            .endMetadata()
            .withSpec(job.getSpec().getTemplate().getSpec())
            .withStatus(waiting("ContainerCreating", null))
            .build();
    client.pods().inNamespace(ns).resource(pod).create();
    String image = pod.getSpec().getContainers().get(0).getImage();
    switch (behaviour) {
      case READY -> {
        event(
            ns,
            name,
            "Normal",
            "Pulled",
            "Container image \"" + image + "\" already present on machine");
        setStatus(ns, name, running());
      }
      case PULL_FAILS -> {
        event(ns, name, "Normal", "Pulling", "Pulling image \"" + image + "\"");
        String why =
            "rpc error: code = NotFound desc = failed to pull and unpack image \""
                + image
                + "\": not found";
        event(ns, name, "Warning", "Failed", "Failed to pull image \"" + image + "\": " + why);
        event(ns, name, "Warning", "Failed", "Error: ErrImagePull"); // as the kubelet does
        setStatus(ns, name, waiting("ErrImagePull", why));
      }
      case NEVER_READY -> {}
    }
  }

  private void setStatus(String ns, String name, PodStatus status) {
    client
        .pods()
        .inNamespace(ns)
        .withName(name)
        .edit(p -> new PodBuilder(p).withStatus(status).build());
  }

  private void event(String ns, String pod, String type, String reason, String message) {
    client
        .v1()
        .events()
        .inNamespace(ns)
        .resource(
            new EventBuilder()
                .withNewMetadata()
                .withName(pod + "." + UUID.randomUUID())
                .withNamespace(ns)
                .endMetadata()
                .withNewInvolvedObject()
                .withKind("Pod")
                .withName(pod)
                .withNamespace(ns)
                .endInvolvedObject()
                .withType(type)
                .withReason(reason)
                .withMessage(message)
                .build())
        .create();
  }

  private static PodStatus waiting(String reason, String message) {
    return new PodStatusBuilder()
        .withPhase("Pending")
        .withContainerStatuses(
            new ContainerStatusBuilder()
                .withName(AgentNames.CONTAINER)
                .withReady(false)
                .withNewState()
                .withNewWaiting()
                .withReason(reason)
                .withMessage(message)
                .endWaiting()
                .endState()
                .build())
        .build();
  }

  private static PodStatus running() {
    return new PodStatusBuilder()
        .withPhase("Running")
        .addNewCondition()
        .withType("Ready")
        .withStatus("True")
        .endCondition()
        .withContainerStatuses(
            new ContainerStatusBuilder()
                .withName(AgentNames.CONTAINER)
                .withReady(true)
                .withContainerID("containerd://" + "a".repeat(64))
                .withNewState()
                .withNewRunning()
                .withStartedAt(Instant.now().toString())
                .endRunning()
                .endState()
                .build())
        .build();
  }

  // --- seeding --------------------------------------------------------------------------------

  /** A node whose runtime is containerd, with optional distribution hints. */
  public void addNode(
      String name,
      String runtimeVersion,
      String kubeletVersion,
      Map<String, String> labels,
      Map<String, String> annotations) {
    client
        .nodes()
        .resource(
            new NodeBuilder()
                .withNewMetadata()
                .withName(name)
                .withLabels(labels)
                .withAnnotations(annotations)
                .endMetadata()
                .withNewStatus()
                .withNewNodeInfo()
                .withContainerRuntimeVersion(runtimeVersion)
                .withKubeletVersion(kubeletVersion)
                .endNodeInfo()
                .endStatus()
                .build())
        .create();
  }

  /** A plain containerd node. */
  public void addNode(String name) {
    addNode(name, "containerd://1.7.22", "v1.34.4", Map.of(), Map.of());
  }

  /** A running pod whose containers all run. */
  public Pod addRunningPod(String ns, String name, String node, String... containers) {
    namespaces.add(ns);
    PodBuilder pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(ns)
            .withUid(UUID.randomUUID().toString())
            .endMetadata()
            .withNewSpec()
            .withNodeName(node)
            .endSpec();
    PodStatusBuilder status = new PodStatusBuilder().withPhase("Running");
    int i = 0;
    for (String c : containers) {
      pod.editSpec()
          .addToContainers(new ContainerBuilder().withName(c).withImage("busybox").build())
          .endSpec();
      status.addToContainerStatuses(runningStatus(c, containerId(i++)));
    }
    return client.pods().inNamespace(ns).resource(pod.withStatus(status.build()).build()).create();
  }

  /** Any pod, as given. */
  public Pod addPod(Pod pod) {
    namespaces.add(pod.getMetadata().getNamespace());
    return client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(pod).create();
  }

  /** The container ID {@link #addRunningPod} gives its i-th container. */
  public static String containerId(int i) {
    return String.format("%064x", 0xc0ffee00L + i);
  }

  private static ContainerStatus runningStatus(String name, String id) {
    return new ContainerStatusBuilder()
        .withName(name)
        .withReady(true)
        .withContainerID("containerd://" + id)
        .withNewState()
        .withNewRunning()
        .withStartedAt(Instant.now().toString())
        .endRunning()
        .endState()
        .build();
  }

  /**
   * Creates an agent for a node the way the CLI does and waits until the fake kubelet readied it.
   */
  public Pod addReadyAgent(String node, String image) {
    namespaces.add(AgentNames.DEFAULT_NAMESPACE);
    AgentSpec spec =
        new AgentSpec(AgentNames.DEFAULT_NAMESPACE, node, image, Duration.ofMinutes(15));
    client
        .batch()
        .v1()
        .jobs()
        .inNamespace(spec.namespace())
        .resource(AgentTemplate.job(spec))
        .create();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      Optional<Pod> ready =
          agentPods().stream()
              .filter(p -> p.getStatus() != null && "Running".equals(p.getStatus().getPhase()))
              .findFirst();
      if (ready.isPresent()) {
        return ready.get();
      }
      sleep(20);
    }
    throw new IllegalStateException("the fake kubelet did not ready the agent for " + node);
  }

  public List<Pod> agentPods() {
    return client
        .pods()
        .inNamespace(AgentNames.DEFAULT_NAMESPACE)
        .withLabels(AgentNames.selector())
        .list()
        .getItems();
  }

  public List<Job> agentJobs() {
    return client.batch().v1().jobs().inNamespace(AgentNames.DEFAULT_NAMESPACE).list().getItems();
  }

  // --- knobs and observations -----------------------------------------------------------------

  public void agentBehaviour(AgentBehaviour b) {
    behaviour = b;
  }

  /** Answers requests whose "METHOD PATH" matches {@code regex} with 403 Forbidden. */
  public void deny(String regex) {
    denied.add(Pattern.compile(regex));
  }

  /** Runs {@code action} as each exec starts, before the fake agent runs its command. */
  public void whileExecuting(Runnable action) {
    whileExecuting = action;
  }

  /** Serves server mode's API group from now on ({@link #gateway}). */
  public void serverMode(boolean served) {
    serverMode = served;
  }

  public void v5Unsupported(boolean unsupported) {
    v5Unsupported = unsupported;
  }

  public void selfSubjectUser(String user) {
    selfSubjectUser = Optional.of(user);
  }

  public ExecLog execLog() {
    return execLog;
  }

  public List<Call> calls() {
    return calls;
  }

  public NamespacedKubernetesClient client() {
    return client;
  }

  public String url() {
    return client.getConfiguration().getMasterUrl();
  }

  /** Writes a kubeconfig for this server with one context, {@code mock}. */
  public Path writeKubeconfig(Path file, Optional<String> namespace) throws IOException {
    String yaml =
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: mock
          cluster:
            server: %s
            insecure-skip-tls-verify: true
        users:
        - name: tester
          user:
            token: secret-token
        contexts:
        - name: mock
          context:
            cluster: mock
            user: tester
        %s
        - name: other
          context:
            cluster: mock
            user: tester
            namespace: other-ns
        current-context: mock
        """
            .formatted(url(), namespace.map(n -> "    namespace: " + n).orElse(""));
    Files.writeString(file, yaml, StandardCharsets.UTF_8);
    return file;
  }

  static ObjectMeta meta(String ns, String name) {
    ObjectMeta m = new ObjectMeta();
    m.setNamespace(ns);
    m.setName(name);
    return m;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    closed = true;
    client.close();
    server.destroy();
  }
}
