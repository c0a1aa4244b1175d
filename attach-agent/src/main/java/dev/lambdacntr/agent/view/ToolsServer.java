package dev.lambdacntr.agent.view;

import dev.lambdacntr.agent.sys.Fd;
import java.nio.file.Path;

/**
 * A FUSE server that serves a directory on an already created FUSE connection from the agent's JVM:
 * cntrfs. Started from a thread that has not switched namespaces, so that its threads reach the
 * directory in the agent's own view.
 */
public interface ToolsServer extends AutoCloseable {

  /** Starts servers. */
  interface Factory {
    /**
     * Starts serving {@code root} on the connection of the {@code /dev/fuse} descriptor {@code
     * fuse}, which the server owns from then on; returns at once.
     */
    ToolsServer serve(Fd fuse, Path root);
  }

  /** Whether it still serves: its connection has not ended. */
  boolean serving();

  /** Stops serving: the connection is aborted and the mount fails from then on. */
  @Override
  void close();
}
