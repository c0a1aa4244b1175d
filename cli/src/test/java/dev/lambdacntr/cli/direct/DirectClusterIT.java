package dev.lambdacntr.cli.direct;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lambdacntr.cli.Environment;
import dev.lambdacntr.cli.kube.ClusterConnection;
import dev.lambdacntr.target.Version;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Direct requests against a real cluster (KUBECONFIG, by default the test bed's): the built
 * launcher reads the real kubeconfig (client certificate, EC key, CA), reaches the agent over
 * direct requests and passes exit status and binary stdin/stdout through. Needs a ready debug image
 * and target-busybox on the nodes. Skipped without a cluster unless {@code CI=true}.
 *
 * <pre>./mvnw -pl cli -am verify -DskipITs=false -Dit.test=DirectClusterIT</pre>
 */
class DirectClusterIT {

  static final Path DIST = Path.of(System.getProperty("dist.dir", "target/dist")).toAbsolutePath();
  static final String NAMESPACE =
      "lcntr-perf-warm-" + Long.toHexString(System.nanoTime() & 0xffffff);
  static Path kubeconfig;
  static ClusterConnection connection;
  static KubernetesClient client;

  record Run(int exit, byte[] stdout, String stderr) {}

  @BeforeAll
  static void start() {
    Environment env = Environment.system();
    kubeconfig =
        Path.of(
            env.get("KUBECONFIG")
                .orElse(
                    env.get("LAMBDA_CNTR_TESTBED").orElse("/var/lib/lambda-cntr-testbed")
                        + "/kubeconfig"));
    boolean ci = "true".equals(System.getenv("CI"));
    if (!Files.isReadable(kubeconfig)) {
      assertThat(ci).as("CI=true needs a cluster: no kubeconfig " + kubeconfig).isFalse();
      assumeTrue(false, "no kubeconfig " + kubeconfig);
    }
    connection = ClusterConnection.open(Optional.of(kubeconfig), Optional.empty(), env);
    client = connection.client();
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
        .create();
    Pod target =
        new PodBuilder()
            .withNewMetadata()
            .withName("target")
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("app")
            .withImage("ghcr.io/lambda-cntr/target-busybox:" + Version.version())
            .withImagePullPolicy("IfNotPresent")
            .endContainer()
            .withTerminationGracePeriodSeconds(1L)
            .endSpec()
            .build();
    client.pods().inNamespace(NAMESPACE).resource(target).create();
    client.pods().inNamespace(NAMESPACE).withName("target").waitUntilReady(120, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() {
    if (client != null) {
      client.namespaces().withName(NAMESPACE).delete();
      connection.close();
    }
  }

  static Run run(byte[] stdin, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(DIST.resolve("bin/lambda-cntr").toString());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().keySet().removeIf(k -> k.startsWith("KUBERNETES_"));
    pb.environment()
        .putAll(Map.of("KUBECONFIG", kubeconfig.toString(), "LAMBDA_CNTR_STANDBY", "off"));
    Process p = pb.start();
    CompletableFuture<byte[]> out =
        CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
    CompletableFuture<byte[]> err =
        CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
    try (OutputStream in = p.getOutputStream()) {
      in.write(stdin);
    }
    assertThat(p.waitFor(180, TimeUnit.SECONDS)).as("finished in time").isTrue();
    return new Run(p.exitValue(), out.join(), new String(err.join(), StandardCharsets.UTF_8));
  }

  static byte[] readAll(InputStream in) {
    try {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      in.transferTo(b);
      return b.toByteArray();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void sessionsWithAReadyAgentGoOverDirectRequestsWithStatusAndBytesIntact() throws Exception {
    // the first run may be cold (no agent on the node yet): the client library creates it
    Run first = run(new byte[0], "execute", "-v", "-n", NAMESPACE, "target", "--", "true");
    assertThat(first.exit()).as(first.stderr()).isZero();

    Run warm =
        run(new byte[0], "execute", "-v", "-n", NAMESPACE, "target", "--", "sh", "-c", "exit 7");
    assertThat(warm.exit()).as(warm.stderr()).isEqualTo(7);
    assertThat(warm.stderr())
        .contains("the cluster through direct requests")
        .contains("reusing agent pod")
        .doesNotContain("through the client library");

    byte[] data = new byte[1 << 20];
    new Random(7).nextBytes(data);
    Run cat = run(data, "execute", "-q", "-n", NAMESPACE, "target", "--", "cat");
    assertThat(cat.exit()).as(cat.stderr()).isZero();
    assertThat(cat.stdout()).isEqualTo(data);

    Run missing = run(new byte[0], "execute", "-n", NAMESPACE, "targot", "--", "true");
    assertThat(missing.exit()).isEqualTo(68);
    assertThat(missing.stderr())
        .isEqualTo("lambda-cntr: pod " + NAMESPACE + "/targot not found; did you mean target?\n");
    assertThat(
            client.v1().events().inNamespace(NAMESPACE).list().getItems().stream()
                .filter(e -> "LambdaCntrExecute".equals(e.getReason()))
                .map(e -> e.getMessage())
                .filter(m -> m.contains("executed 'sh -c exit 7'"))
                .findFirst())
        .isNotEqualTo(Optional.empty());
  }
}
