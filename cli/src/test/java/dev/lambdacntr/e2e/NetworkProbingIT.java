package dev.lambdacntr.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Network troubleshooting from inside a slim pod's network namespace with the debug image's tools
 * ({@code lambda-cntr execute}): tcpdump captures a request sent to the target, ss shows the
 * target's own listening socket and process, and a Service is reached by its DNS name through the
 * cluster's CoreDNS with the target's resolv.conf. The target has no shell and none of these tools.
 * (tcpdump runs with {@code -Z root}: the session's /etc/passwd is the target's, which has no
 * {@code tcpdump} user to drop privileges to.)
 */
@Tag("runtime-core") // also on each node of another runtime (scripts/e2e)
class NetworkProbingIT {

  static TestCluster cluster;
  static E2eNamespace namespace;
  static LambdaCntr lambdaCntr;
  static Pod web;
  static Service service;

  @BeforeAll
  static void start() {
    cluster = TestCluster.get();
    namespace = cluster.namespace("net");
    lambdaCntr =
        new LambdaCntr(cluster.settings(), namespace.name(), namespace.agentNamespace("net"));
    // the distroless server, as root with CAP_NET_RAW, so that the session (which has the
    // target's capabilities) may capture in the pod's network namespace; named, because CRI-O's
    // default capabilities, unlike containerd's and Docker's, leave it out
    Pod pod =
        new PodBuilder(
                E2eNamespace.target("web", cluster.firstNode(), cluster.settings().staticImage()))
            .editSpec()
            .withNewSecurityContext()
            .withRunAsUser(0L)
            .endSecurityContext()
            .editFirstContainer()
            .withNewSecurityContext()
            .withNewCapabilities()
            .addToAdd("NET_RAW")
            .endCapabilities()
            .endSecurityContext()
            .endContainer()
            .endSpec()
            .build();
    web = cluster.runReady(namespace.name(), pod);
    service =
        cluster
            .client()
            .services()
            .inNamespace(namespace.name())
            .resource(
                new ServiceBuilder()
                    .withNewMetadata()
                    .withName("probe-web")
                    .endMetadata()
                    .withNewSpec()
                    .addToSelector("app", "web")
                    .addNewPort()
                    .withPort(80)
                    .withTargetPort(new IntOrString(8080))
                    .endPort()
                    .endSpec()
                    .build())
            .create();
    awaitServiceProgrammed(service.getSpec().getClusterIP());
  }

  /**
   * Waits until kube-proxy has written the Service's rules: the test bed refuses a Service address
   * it has not rewritten yet (testbed/lib.sh, SERVICE_REJECT), as a new Service is refused for a
   * moment on any cluster. The host's own connection to the Service address goes through the same
   * rules as the pod's, so the session's request below tests DNS and the pod's route, not
   * kube-proxy's sync delay.
   */
  private static void awaitServiceProgrammed(String clusterIp) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      try {
        if (httpGet(clusterIp, 80, "/service-ready").startsWith("HTTP/1.")) {
          return;
        }
      } catch (Exception e) {
        last = e;
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for Service probe-web", e);
      }
    }
    throw new AssertionError(
        "Service probe-web (" + clusterIp + ":80) was not reachable from the host in 60 s", last);
  }

  @AfterAll
  static void cleanUp() {
    if (namespace != null) {
      namespace.close();
    }
  }

  @Test
  void tcpdumpCapturesARequestSentToTheTarget() throws Exception {
    String marker =
        "lcntr-probe-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    try (RunningCli capture =
        RunningCli.start(
            lambdaCntr,
            lambdaCntr.session(
                "execute",
                List.of(),
                List.of("web"),
                List.of(
                    "timeout",
                    "90",
                    "tcpdump",
                    "-Z",
                    "root",
                    "-i",
                    "any",
                    "-n",
                    "-l",
                    "-A",
                    "tcp port 8080")))) {
      capture.awaitLine(
          "from tcpdump saying it listens", l -> l.contains("listening on"), Duration.ofMinutes(3));
      String podIp = web.getStatus().getPodIP();
      String answer = httpGet(podIp, 8080, "/" + marker);
      assertThat(answer).startsWith("HTTP/1.");
      String seen =
          capture.awaitLine(
              "with the request's path", l -> l.contains(marker), Duration.ofSeconds(30));
      assertThat(seen).contains("GET /" + marker);
      assertThat(capture.stdout()).contains(podIp + ".8080");
    }
  }

  @Test
  void portForwardCarriesLocalConnectionsIntoThePodUntilStopped() throws Exception {
    try (RunningCli forward =
        RunningCli.start(
            lambdaCntr,
            List.of("port-forward", "-n", namespace.name(), "--no-protect", "web", ":8080"))) {
      String line =
          forward.awaitLine(
              "naming the local port", l -> l.contains(" -> 8080 in pod "), Duration.ofMinutes(1));
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("forwarding 127\\.0\\.0\\.1:(\\d+)").matcher(line);
      assertThat(m.find()).as(line).isTrue();
      int local = Integer.parseInt(m.group(1));
      for (int i = 0; i < 3; i++) {
        assertThat(httpGet("127.0.0.1", local, "/forwarded-" + i))
            .startsWith("HTTP/1.1 200")
            .contains("target-static");
      }
      forward.terminate();
      forward.awaitExit(Duration.ofSeconds(30));
      assertThat(forward.stderr()).doesNotContain("Exception");
    }
  }

  @Test
  void ssShowsTheTargetsListeningSocketAndProcess() {
    LambdaCntr.Result r = lambdaCntr.execute("web", "ss", "-Hltnp");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.stdout())
        .as(r.toString())
        .containsPattern("LISTEN .*:8080 .*users:\\(\\(\"target-static\",pid=1,");
  }

  @Test
  void aServiceIsReachedByItsDnsName() {
    String fqdn = "probe-web." + namespace.name() + ".svc.cluster.local";
    LambdaCntr.Result dig = lambdaCntr.execute("web", "dig", "+short", "+time=5", fqdn);
    assertThat(dig.exit()).as(dig.toString()).isZero();
    assertThat(dig.stdout().strip()).isEqualTo(service.getSpec().getClusterIP());
    // the short name, through the search path of the target's own resolv.conf
    LambdaCntr.Result curl =
        lambdaCntr.execute("web", "curl", "-sS", "--max-time", "10", "http://probe-web/");
    assertThat(curl.exit()).as(curl.toString()).isZero();
    assertThat(curl.stdout()).as(curl.toString()).contains("target-static");
  }

  private static String httpGet(String host, int port, String path) throws Exception {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), 10_000);
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(
          ("GET " + path + " HTTP/1.0\r\nHost: " + host + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] first = new byte[1024];
      int n = in.read(first);
      return n <= 0 ? "" : new String(first, 0, n, StandardCharsets.UTF_8);
    }
  }
}
