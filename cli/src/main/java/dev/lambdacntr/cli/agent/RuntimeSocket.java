package dev.lambdacntr.cli.agent;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import java.nio.file.Path;

/**
 * The container runtime's API socket on a node, and how the agent pod sees it. The socket's
 * directory, not the socket file, is mounted into the pod at {@link #IN_POD_DIRECTORY}, so a
 * runtime restart that recreates the socket does not leave a stale bind mount behind.
 *
 * @param hostPath the socket's absolute path on the node
 * @param origin where the path came from, for {@code --verbose} ("--socket-path", "node annotation
 *     ...", "containerd on K3s")
 */
public record RuntimeSocket(String hostPath, String origin) {

  /** Where the socket's directory is mounted inside the agent pod. */
  public static final String IN_POD_DIRECTORY = "/run/lambda-cntr/runtime";

  public RuntimeSocket {
    hostPath = normalize(hostPath);
  }

  /** The node directory mounted as a hostPath volume. */
  public String hostDirectory() {
    return Path.of(hostPath).getParent().toString();
  }

  /** The socket as the agent sees it: passed to it with {@code --socket-path}. */
  public String inPodPath() {
    return IN_POD_DIRECTORY + "/" + Path.of(hostPath).getFileName();
  }

  private static String normalize(String raw) {
    String path = raw.startsWith("unix://") ? raw.substring("unix://".length()) : raw;
    Path p = Path.of(path).normalize();
    if (!p.isAbsolute() || p.getParent() == null || p.getParent().getParent() == null) {
      throw new CntrException(
          ExitCode.USAGE,
          "runtime socket '"
              + raw
              + "': need an absolute path to a socket inside a directory below /, such as"
              + " /run/containerd/containerd.sock");
    }
    return p.toString();
  }
}
