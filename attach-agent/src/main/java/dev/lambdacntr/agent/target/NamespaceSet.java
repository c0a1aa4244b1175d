package dev.lambdacntr.agent.target;

import dev.lambdacntr.agent.sys.Fd;
import dev.lambdacntr.agent.sys.Sys;
import dev.lambdacntr.protocol.ExitCode;
import dev.lambdacntr.sys.Fcntl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * The target's namespaces that differ from the agent's, opened as descriptors. The mount namespace
 * is always opened: the session builds its view in a copy of it. Opened while the target is pinned
 * by its pidfd, and checked alive afterwards, so every descriptor is the target's.
 */
public final class NamespaceSet implements AutoCloseable {
  private final Map<Namespace, Fd> open;

  private NamespaceSet(Map<Namespace, Fd> open) {
    this.open = open;
  }

  public static NamespaceSet open(TargetProcess target) {
    Map<Namespace, Fd> open = new EnumMap<>(Namespace.class);
    try {
      for (Namespace kind : Namespace.values()) {
        Path theirs = Path.of("/proc", Integer.toString(target.pid()), "ns", kind.procName());
        Optional<String> theirId = linkTarget(theirs);
        if (theirId.isEmpty()) {
          continue; // a kind this kernel does not have
        }
        if (kind != Namespace.MOUNT
            && theirId.equals(linkTarget(Path.of("/proc/self/ns", kind.procName())))) {
          continue;
        }
        open.put(
            kind,
            Sys.open(
                theirs.toString(),
                Fcntl.O_RDONLY | Fcntl.O_CLOEXEC,
                ExitCode.AGENT_ENTER_FAILED,
                "open the " + kind.procName() + " namespace of " + target.description()));
      }
      target.checkAlive();
      return new NamespaceSet(open);
    } catch (RuntimeException e) {
      open.values().forEach(Fd::close);
      throw e;
    }
  }

  private static Optional<String> linkTarget(Path link) {
    try {
      return Optional.of(Files.readSymbolicLink(link).toString());
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** The target's namespace of this kind, when it differs from the agent's. */
  public Optional<Fd> get(Namespace kind) {
    return Optional.ofNullable(open.get(kind));
  }

  @Override
  public void close() {
    open.values().forEach(Fd::close);
  }
}
