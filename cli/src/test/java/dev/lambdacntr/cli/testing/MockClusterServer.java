package dev.lambdacntr.cli.testing;

import dev.lambdacntr.target.Version;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A {@link MockCluster} in its own process, for driving the real launcher from outside (the AOT
 * cache's training run, start-up measurements): one node and pod {@code default/demo} with
 * container {@code app}. Writes the kubeconfig, prints {@code ready}, and serves until stdin
 * closes. The second argument says what the cluster offers:
 *
 * <ul>
 *   <li>{@code cold}: no agent (direct mode creates one);
 *   <li>{@code warm}: a ready agent;
 *   <li>{@code warm-then-server}: a ready agent, and server mode's API group from the first session
 *       on (a command line run twice takes the warm direct path, then server mode).
 * </ul>
 *
 * <pre>java -cp TEST_CLASSPATH dev.lambdacntr.cli.testing.MockClusterServer KUBECONFIG MODE</pre>
 */
public final class MockClusterServer {

  private MockClusterServer() {}

  public static void main(String[] args) throws IOException {
    String mode = args.length > 1 ? args[1] : "cold";
    try (MockCluster cluster = new MockCluster()) {
      cluster.addNode("node-1");
      cluster.addRunningPod("default", "demo", "node-1", "app");
      switch (mode) {
        case "cold" -> {}
        case "warm" -> cluster.addReadyAgent("node-1", Version.defaultImage());
        case "warm-then-server" -> {
          cluster.addReadyAgent("node-1", Version.defaultImage());
          cluster.whileExecuting(() -> cluster.serverMode(true));
        }
        default -> throw new IllegalArgumentException("unknown mode " + mode);
      }
      cluster.writeKubeconfig(Path.of(args[0]), Optional.empty());
      System.out.println("ready");
      System.out.flush();
      System.in.transferTo(OutputStream.nullOutputStream());
    }
  }
}
