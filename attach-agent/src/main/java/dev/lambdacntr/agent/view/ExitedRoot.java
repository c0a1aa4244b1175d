package dev.lambdacntr.agent.view;

import dev.lambdacntr.agent.sys.Fd;
import dev.lambdacntr.agent.sys.Sys;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import dev.lambdacntr.sys.Fcntl;
import dev.lambdacntr.sys.Mounts;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The root of a container that has exited, for a post-mortem view: a read-only overlay of its
 * layers (top first), and clones of the node's directories and files it had bound in (volumes, the
 * kubelet's {@code /etc/hosts}, ...), read-only as well: the session may look at what the run left,
 * and changes nothing that the pod's next run or its other containers share. All detached, made
 * before entering, on a thread of their own in the container runtime's mount namespace: the node's
 * paths resolve there, and the kernel clones a layer or a bind only from a mount of the caller's
 * own namespace (overlayfs: "failed to clone lowerpath", EINVAL, from the agent pod's).
 *
 * @param root the overlay, a detached mount
 * @param binds the clones, each with its destination in the root
 */
public record ExitedRoot(Fd root, List<Bind> binds) implements AutoCloseable {
  private static final ExitCode FS = ExitCode.AGENT_FILESYSTEM_FAILED;

  private static final long READ_ONLY =
      Mounts.MOUNT_ATTR_RDONLY | Mounts.MOUNT_ATTR_NOSUID | Mounts.MOUNT_ATTR_NODEV;

  /** Where no bind of the container's can go: the view's are the sandbox's, not its own. */
  private static final List<String> LEFT_TO_THE_VIEW = List.of("/proc", "/dev", "/sys");

  public ExitedRoot {
    binds = List.copyOf(binds);
  }

  /** A detached clone of a node's path and where it goes in the root. */
  public record Bind(Fd mount, String destination) {}

  /**
   * A node's path the container had bound.
   *
   * @param source the path, as the agent reaches it
   * @param destination where it was in the container
   * @param recursive whether the mounts below the source came along ({@code rbind})
   */
  public record Source(String source, String destination, boolean recursive) {}

  /**
   * Mounts the layers and clones the sources in the mount namespace {@code runtimeMounts}; a source
   * that is gone is left out with a warning.
   *
   * @param layers the directories, top first, as the node names them
   * @param sources the node's paths the container had bound
   */
  public static ExitedRoot assemble(
      Fd runtimeMounts,
      List<String> layers,
      List<Source> sources,
      String container,
      Consumer<String> warnings) {
    AssemblingThread thread =
        new AssemblingThread(runtimeMounts, layers, sources, container, warnings);
    thread.start();
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CntrException(
          ExitCode.AGENT_INTERNAL, "interrupted while mounting the root of " + container, e);
    }
    if (thread.failure != null) {
      throw thread.failure;
    }
    return thread.result;
  }

  /** The thread that enters the runtime's mount namespace, and ends with the change. */
  private static final class AssemblingThread extends Thread {
    private final Fd runtimeMounts;
    private final List<String> layers;
    private final List<Source> sources;
    private final String container;
    private final Consumer<String> warnings;
    private ExitedRoot result;
    private RuntimeException failure;

    AssemblingThread(
        Fd runtimeMounts,
        List<String> layers,
        List<Source> sources,
        String container,
        Consumer<String> warnings) {
      super("lambda-cntr-exited-root");
      this.runtimeMounts = runtimeMounts;
      this.layers = layers;
      this.sources = sources;
      this.container = container;
      this.warnings = warnings;
    }

    @Override
    public void run() {
      try {
        Sys.unshare(
            Fcntl.CLONE_FS,
            ExitCode.AGENT_ENTER_FAILED,
            "detach a thread's filesystem context to mount the root of " + container);
        Sys.setns(
            runtimeMounts,
            Fcntl.CLONE_NEWNS,
            ExitCode.AGENT_ENTER_FAILED,
            "enter the container runtime's mount namespace to mount the root of " + container);
        result = mountAndClone(layers, sources, container, warnings);
      } catch (RuntimeException e) {
        failure = e;
      }
    }
  }

  private static ExitedRoot mountAndClone(
      List<String> layers, List<Source> sources, String container, Consumer<String> warnings) {
    Fd root = overlay(layers, container);
    List<Bind> binds = new ArrayList<>();
    try {
      for (Source source : sources) {
        if (LEFT_TO_THE_VIEW.stream()
            .anyMatch(
                tree ->
                    source.destination().equals(tree)
                        || source.destination().startsWith(tree + "/"))) {
          continue;
        }
        Optional<Fd> clone =
            Sys.openTreeIfPresent(
                source.source(),
                source.recursive(),
                FS,
                "clone "
                    + source.source()
                    + " ("
                    + source.destination()
                    + " of "
                    + container
                    + ")");
        if (clone.isEmpty()) {
          warnings.accept(
              "lambda-cntr: warning: the view leaves out "
                  + source.destination()
                  + " of "
                  + container
                  + ": its source "
                  + source.source()
                  + " is gone");
          continue;
        }
        binds.add(new Bind(clone.get(), source.destination()));
        Sys.mountSetattr(
            clone.get(),
            READ_ONLY,
            0,
            true,
            FS,
            "make the clone of " + source.destination() + " of " + container + " read-only");
      }
    } catch (CntrException e) {
      binds.forEach(b -> b.mount().close());
      root.close();
      throw e;
    }
    return new ExitedRoot(root, binds);
  }

  private static Fd overlay(List<String> layers, String container) {
    try (Fd context = Sys.fsopen("overlay", FS, "create an overlay for the root of " + container)) {
      for (String layer : layers) {
        Sys.fsconfig(
            context, "lowerdir+", layer, FS, "add the layer " + layer + " of " + container);
      }
      Sys.fsconfigCreate(context, FS, "create the overlay of the root of " + container);
      return Sys.fsmount(context, READ_ONLY, FS, "mount the overlay of the root of " + container);
    }
  }

  /**
   * Attaches the root at {@code mountPoint} in the calling thread's namespace and the binds on
   * their destinations in it, each found with {@code RESOLVE_IN_ROOT}, so that no link in what the
   * container wrote leads a bind out of its root; a destination that is missing or of another type
   * is left out with a warning.
   */
  void attach(String mountPoint, String container, Consumer<String> warnings) {
    Sys.moveMount(root, mountPoint, FS, "mount the root of " + container + " on " + mountPoint);
    for (Bind bind : binds) {
      String destination = bind.destination();
      Optional<Fd> found;
      try {
        found =
            Sys.openat2(
                root,
                destination.substring(1),
                Fcntl.O_PATH | Fcntl.O_CLOEXEC,
                Fcntl.RESOLVE_IN_ROOT | Fcntl.RESOLVE_NO_MAGICLINKS,
                FS,
                "find " + destination + " in the root of " + container);
      } catch (CntrException e) {
        warnings.accept(leftOut(destination, container, e.getMessage()));
        continue;
      }
      if (found.isEmpty()) {
        warnings.accept(leftOut(destination, container, "it has no " + destination));
        continue;
      }
      try (Fd target = found.get()) {
        Sys.moveMountOnto(bind.mount(), target, FS, "mount " + destination + " of " + container);
      } catch (CntrException e) {
        warnings.accept(leftOut(destination, container, e.getMessage()));
      }
    }
  }

  private static String leftOut(String destination, String container, String why) {
    return "lambda-cntr: warning: the view leaves out "
        + destination
        + " of "
        + container
        + ": "
        + why;
  }

  @Override
  public void close() {
    binds.forEach(b -> b.mount().close());
    root.close();
  }
}
