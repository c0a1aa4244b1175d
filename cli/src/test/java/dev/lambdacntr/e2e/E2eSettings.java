package dev.lambdacntr.e2e;

import static org.junit.jupiter.api.Assertions.fail;

import dev.lambdacntr.target.Version;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * What the end-to-end suite runs against, all from the environment, so that the same suite runs on
 * the local test bed (scripts/test-all) and on any other cluster:
 *
 * <ul>
 *   <li>{@code KUBECONFIG}: the cluster (required; its current context is used);
 *   <li>{@code LAMBDA_CNTR_E2E_CLI}: the launcher to test (default: the build's {@code
 *       cli/target/dist/bin/lambda-cntr});
 *   <li>{@code LAMBDA_CNTR_E2E_DEBUG_IMAGE} (else {@code CNTR_IMAGE}), {@code
 *       LAMBDA_CNTR_E2E_BUSYBOX_IMAGE}, {@code LAMBDA_CNTR_E2E_STATIC_IMAGE}: the images, by
 *       default {@code ghcr.io/lambda-cntr/{debug,target-busybox,target-static}:VERSION}; the nodes
 *       must be able to run them;
 *   <li>{@code LAMBDA_CNTR_E2E_NODES}: two node names, comma-separated (default: the first two
 *       schedulable Ready nodes);
 *   <li>{@code LAMBDA_CNTR_E2E_RUN}: a label value put on the suite's namespaces (scripts/e2e sets
 *       it and deletes what a killed test JVM left);
 *   <li>{@code LAMBDA_CNTR_E2E_MODE}: {@code direct} (default) or {@code server}: the mode every
 *       CLI run of the suite uses ({@code LAMBDA_CNTR_MODE} for the CLI); server mode must be
 *       installed (scripts/e2e does it for its server-mode pass).
 * </ul>
 *
 * Without a cluster the suite is skipped, unless {@code CI=true}: then it fails.
 */
record E2eSettings(
    Path cli,
    String debugImage,
    String busyboxImage,
    String staticImage,
    List<String> nodes,
    String mode,
    Map<String, String> cliEnvironment) {

  private static final String REPOSITORY = "ghcr.io/lambda-cntr/";

  /** Where {@code lambda-cntr install} puts server mode by default (its node agents too). */
  static final String SERVER_NAMESPACE = "lambda-cntr-system";

  /** Reads the environment; skips (or, with {@code CI=true}, fails) when there is no cluster. */
  static E2eSettings fromEnvironment() {
    Map<String, String> env = System.getenv();
    if (variable(env, "KUBECONFIG").isEmpty()) {
      unavailable("KUBECONFIG is not set: the end-to-end suite needs a cluster");
    }
    Path cli =
        variable(env, "LAMBDA_CNTR_E2E_CLI")
            .map(Path::of)
            .orElseGet(() -> defaultDistribution(env).resolve("bin/lambda-cntr"));
    if (!Files.isExecutable(cli)) {
      fail("no lambda-cntr launcher at " + cli + ": build it (./mvnw -pl cli -am package)");
    }
    String version = Version.version();
    String debugImage =
        variable(env, "LAMBDA_CNTR_E2E_DEBUG_IMAGE")
            .or(() -> variable(env, "CNTR_IMAGE"))
            .orElse(REPOSITORY + "debug:" + version);
    List<String> nodes =
        variable(env, "LAMBDA_CNTR_E2E_NODES")
            .map(v -> Arrays.stream(v.split(",")).map(String::strip).toList())
            .orElse(List.of());
    String mode = variable(env, "LAMBDA_CNTR_E2E_MODE").orElse("direct");
    if (!List.of("direct", "server").contains(mode)) {
      fail("LAMBDA_CNTR_E2E_MODE must be direct or server, not '" + mode + "'");
    }
    return new E2eSettings(
        cli.toAbsolutePath(),
        debugImage,
        variable(env, "LAMBDA_CNTR_E2E_BUSYBOX_IMAGE")
            .orElse(REPOSITORY + "target-busybox:" + version),
        variable(env, "LAMBDA_CNTR_E2E_STATIC_IMAGE")
            .orElse(REPOSITORY + "target-static:" + version),
        nodes,
        mode,
        // No standby processes (cli/README.md): each test's invocation is a process of its own,
        // and none is left waiting after the suite. StandbyIT turns them on in a directory of its
        // own.
        Map.of("CNTR_IMAGE", debugImage, "LAMBDA_CNTR_MODE", mode, "LAMBDA_CNTR_STANDBY", "off"));
  }

  /** Whether the CLI runs in server mode (through the gateway and the node agents). */
  boolean serverMode() {
    return mode.equals("server");
  }

  /**
   * A prerequisite is missing: the test is skipped, or fails when {@code CI=true} (CI must never
   * pass by skipping the end-to-end suite).
   */
  static void unavailable(String why) {
    if ("true".equals(System.getenv("CI"))) {
      fail("CI=true, so this end-to-end test may not be skipped: " + why);
    }
    Assumptions.abort(why);
  }

  private static Path defaultDistribution(Map<String, String> env) {
    String property = System.getProperty("dist.dir");
    if (property != null && !property.isBlank()) {
      return Path.of(property);
    }
    return variable(env, "LAMBDA_CNTR_ROOT")
        .map(root -> Path.of(root, "cli", "target", "dist"))
        .orElse(Path.of("target", "dist"));
  }

  private static Optional<String> variable(Map<String, String> env, String name) {
    return Optional.ofNullable(env.get(name)).filter(v -> !v.isBlank());
  }
}
