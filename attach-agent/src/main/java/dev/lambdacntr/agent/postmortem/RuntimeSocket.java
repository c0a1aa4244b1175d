package dev.lambdacntr.agent.postmortem;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Where a pod's container runtime listens, found from the pod's running sandbox: its parent is
 * containerd's shim, started with {@code -address SOCKET}; the socket and every path the runtime
 * names are the host's, reached through the shim's root ({@code /proc/SHIM/root}), so the agent
 * needs no socket of its own mounted and asks the very containerd that runs the pod.
 *
 * @param hostRoot the shim's root, the prefix of every path the runtime names
 * @param socket the runtime's socket below {@code hostRoot}
 */
public record RuntimeSocket(Path hostRoot, String socket) {

  /** The runtime of the process {@code podProcess} (the pod's oldest, whose parent is a shim). */
  public static RuntimeSocket ofPodProcess(int podProcess) {
    int shim = parentOf(podProcess);
    List<String> argv = commandLine(shim);
    String program = argv.isEmpty() ? "" : Path.of(argv.getFirst()).getFileName().toString();
    if (!program.startsWith("containerd-shim")) {
      throw new CntrException(
          ExitCode.AGENT_RUNTIME_ERROR,
          "the pod's process "
              + podProcess
              + " was started by "
              + (program.isEmpty() ? "process " + shim : program)
              + ", not by containerd's shim: post-mortem sessions need containerd");
    }
    for (int i = 0; i < argv.size(); i++) {
      String arg = argv.get(i);
      if ((arg.equals("-address") || arg.equals("--address")) && i + 1 < argv.size()) {
        return new RuntimeSocket(Path.of("/proc", Integer.toString(shim), "root"), argv.get(i + 1));
      }
      for (String prefix : List.of("-address=", "--address=")) {
        if (arg.startsWith(prefix)) {
          return new RuntimeSocket(
              Path.of("/proc", Integer.toString(shim), "root"), arg.substring(prefix.length()));
        }
      }
    }
    throw new CntrException(
        ExitCode.AGENT_RUNTIME_ERROR,
        "containerd's shim (process " + shim + ") names no -address: " + String.join(" ", argv));
  }

  /** A path the runtime named, as the agent reaches it. */
  public Path onHost(String path) {
    return Path.of(hostRoot + (path.startsWith("/") ? path : "/" + path));
  }

  /**
   * The runtime's mount namespace, where the paths it names are mounts of the namespace itself (an
   * overlay's layers must be: the kernel clones them only from the caller's namespace).
   */
  public Path mountNamespace() {
    return hostRoot.resolveSibling("ns").resolve("mnt");
  }

  /** A path the agent reaches through {@link #hostRoot}, as the node names it. */
  public String onNode(Path reached) {
    return "/" + hostRoot.relativize(reached);
  }

  /** The socket as the agent reaches it. */
  public String socketPath() {
    return onHost(socket).toString();
  }

  private static int parentOf(int pid) {
    return ProcessHandle.of(pid)
        .flatMap(ProcessHandle::parent)
        .map(parent -> (int) parent.pid())
        .orElseThrow(
            () ->
                new CntrException(
                    ExitCode.AGENT_TARGET_NOT_FOUND,
                    "cannot find the parent of the pod's process " + pid + ": it has ended"));
  }

  private static List<String> commandLine(int pid) {
    try {
      String raw =
          new String(
              Files.readAllBytes(Path.of("/proc", Integer.toString(pid), "cmdline")),
              StandardCharsets.UTF_8);
      return raw.isEmpty() ? List.of() : List.of(raw.split("\0"));
    } catch (IOException e) {
      return List.of();
    }
  }
}
