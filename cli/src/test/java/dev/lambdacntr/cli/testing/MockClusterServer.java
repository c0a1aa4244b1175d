package dev.lambdacntr.cli.testing;

import dev.lambdacntr.target.Version;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A {@link MockCluster} in its own process, for driving the real launcher from outside (the AOT
 * cache's training run, start-up measurements): one node, pod {@code default/demo} with container
 * {@code app}, and with {@code warm} a ready agent. Writes the kubeconfig, prints {@code ready},
 * and serves until stdin closes.
 *
 * <pre>java -cp TEST_CLASSPATH dev.lambdacntr.cli.testing.MockClusterServer KUBECONFIG cold|warm
 * </pre>
 */
public final class MockClusterServer {

  private MockClusterServer() {}

  public static void main(String[] args) throws IOException {
    try (MockCluster cluster = new MockCluster()) {
      cluster.addNode("node-1");
      cluster.addRunningPod("default", "demo", "node-1", "app");
      if (args.length > 1 && args[1].equals("warm")) {
        cluster.addReadyAgent("node-1", Version.defaultImage());
      }
      cluster.writeKubeconfig(Path.of(args[0]), Optional.empty());
      System.out.println("ready");
      System.out.flush();
      System.in.transferTo(java.io.OutputStream.nullOutputStream());
    }
  }

  /** Unused helper kept for scripts that want the URL in a file. */
  static void writeUrl(MockCluster cluster, Path file) throws IOException {
    Files.writeString(file, cluster.url(), StandardCharsets.UTF_8);
  }
}
