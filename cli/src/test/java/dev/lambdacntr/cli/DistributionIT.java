package dev.lambdacntr.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lambdacntr.cli.testing.MockCluster;
import dev.lambdacntr.target.Version;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built distribution (cli/target/dist) as users run it: the launcher finds Java 25 and its AOT
 * cache, the kubectl plugin name works, and real OS pipes carry binary data through a session.
 */
class DistributionIT {

  static final Path DIST = Path.of(System.getProperty("dist.dir", "target/dist")).toAbsolutePath();
  static MockCluster cluster;
  static Path kubeconfig;
  @TempDir static Path dir;

  record Run(int exit, byte[] stdout, String stderr) {
    String out() {
      return new String(stdout, StandardCharsets.UTF_8);
    }
  }

  @BeforeAll
  static void start() throws IOException {
    cluster = new MockCluster();
    cluster.addNode("node-1");
    cluster.addRunningPod("default", "demo", "node-1", "app");
    cluster.addReadyAgent("node-1", Version.defaultImage());
    kubeconfig = cluster.writeKubeconfig(dir.resolve("kubeconfig"), Optional.empty());
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  static Run run(Map<String, String> env, byte[] stdin, List<String> command)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().put("LAMBDA_CNTR_STANDBY", "off"); // leaves no standby process (StandbyIT)
    pb.environment().putAll(env);
    Process p = pb.start();
    CompletableFuture<byte[]> out =
        CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
    CompletableFuture<byte[]> err =
        CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
    try (OutputStream in = p.getOutputStream()) {
      in.write(stdin);
    }
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("finished in time").isTrue();
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

  static String launcher() {
    return DIST.resolve("bin/lambda-cntr").toString();
  }

  @Test
  void theDistributionHasItsPartsAndATrainedAotCache() {
    assertThat(DIST.resolve("bin/lambda-cntr")).isExecutable();
    assertThat(DIST.resolve("bin/kubectl-cntr")).isSymbolicLink();
    assertThat(DIST.resolve("lib/lambda-cntr-cli.jar")).isRegularFile();
    assertThat(DIST.resolve("lib/lambda-cntr.aot")).isRegularFile();
  }

  @Test
  void versionRunsQuietlyWithTheAotCache() throws Exception {
    Run r = run(Map.of(), new byte[0], List.of(launcher(), "--version"));
    assertThat(r.exit()).isZero();
    assertThat(r.out()).isEqualTo("lambda-cntr " + Version.version() + "\n");
    assertThat(r.stderr()).isEmpty();
  }

  @Test
  void asAKubectlPluginItIsCalledKubectlCntr() throws Exception {
    // kubectl runs the first kubectl-cntr on PATH, often a link the user made to the distribution
    Path userBin = Files.createDirectories(dir.resolve("bin"));
    Path link = userBin.resolve("kubectl-cntr");
    Files.deleteIfExists(link);
    Files.createSymbolicLink(link, DIST.resolve("bin/kubectl-cntr"));
    Run r = run(Map.of(), new byte[0], List.of(link.toString(), "attach", "--help"));
    assertThat(r.exit()).isZero();
    assertThat(r.out()).startsWith("Usage: kubectl cntr attach");
  }

  @Test
  void aSessionPassesBinaryStdinThroughRealPipesAndReturnsTheStatus() throws Exception {
    byte[] data = new byte[1 << 20];
    new Random(7).nextBytes(data);
    Run cat =
        run(
            Map.of(),
            data,
            List.of(
                launcher(), "execute", "--kubeconfig", kubeconfig.toString(), "demo", "--", "cat"));
    assertThat(cat.exit()).as(cat.stderr()).isZero();
    assertThat(cat.stdout()).isEqualTo(data);
    Run exit =
        run(
            Map.of(),
            new byte[0],
            List.of(
                launcher(),
                "execute",
                "-q",
                "--kubeconfig",
                kubeconfig.toString(),
                "demo",
                "--",
                "exit",
                "42"));
    assertThat(exit.exit()).isEqualTo(42);
    assertThat(exit.stderr()).isEmpty();
  }

  @Test
  void withoutJava25TheLauncherSaysSo() throws Exception {
    // a PATH with the shell tools the launcher uses, and no java
    Path tools = Files.createDirectories(dir.resolve("tools"));
    for (String tool : List.of("readlink", "dirname", "basename", "sed")) {
      Path link = tools.resolve(tool);
      if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        Files.createSymbolicLink(link, Path.of("/usr/bin", tool).toRealPath());
      }
    }
    Run r =
        run(
            Map.of(
                "JAVA_HOME", "/nonexistent",
                "LAMBDA_CNTR_JVM_DIR", "/nonexistent",
                "PATH", tools.toString()),
            new byte[0],
            List.of("/bin/sh", launcher(), "--version"));
    assertThat(r.exit()).isEqualTo(79);
    assertThat(r.stderr())
        .isEqualTo(
            "lambda-cntr: needs a Java 25 runtime: set JAVA_HOME to a JDK 25 (looked at"
                + " $LAMBDA_CNTR_JAVA_HOME, $JAVA_HOME, /nonexistent/* and java on PATH)\n");
  }
}
