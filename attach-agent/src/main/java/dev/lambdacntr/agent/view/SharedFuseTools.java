package dev.lambdacntr.agent.view;

import dev.lambdacntr.agent.sys.Fd;
import dev.lambdacntr.agent.sys.Sys;
import dev.lambdacntr.protocol.ExitCode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The {@code fuse} backend in a resident agent (the node agent): one cntrfs mount of the tools
 * root, made for the first session that asks for it and kept while sessions use it, cloned into
 * each session's view. The tools root is the agent's read-only image and nothing changes it, so
 * what the kernel cached for one session (names, attributes, directory listings, pages) serves the
 * next: the second session on a node starts warm (issue 17), and the agent runs one cntrfs server,
 * not one per session.
 *
 * <p>Each session gets a non-recursive clone ({@code open_tree(OPEN_TREE_CLONE)}) of the detached
 * mount, with its attributes (read-only, nosuid, nodev); what the view attaches below it stays in
 * that session's namespace. Ending a session drops its clone only. A kernel that cannot clone a
 * detached mount (EINVAL) gets a server per session, as a launched agent has; a server that ended
 * (its connection aborted) is replaced at the next session.
 *
 * <p>The mount holds memory while it lives: the server's threads and buffers, and a descriptor per
 * inode the kernel remembers (about 35 MiB of the node agent's working set after a walk of the
 * debug image's 7,500 entries). So it is let go once no session has used it for {@code idle}; the
 * next session makes it anew, cold.
 */
public final class SharedFuseTools implements AutoCloseable {
  private static final ExitCode FS = ExitCode.AGENT_FILESYSTEM_FAILED;

  private final Path root;
  private final ToolsServer.Factory servers;
  private final Duration idle;
  private FuseTools shared;
  private Fd mount;
  private boolean clonesRefused;
  private int sessions; // clones handed out whose session has not ended
  private long idleSince; // System.nanoTime() when the last session ended

  public SharedFuseTools(Path root, ToolsServer.Factory servers, Duration idle) {
    this.root = root;
    this.servers = servers;
    this.idle = idle;
  }

  /** The tools root this shares. */
  public Path root() {
    return root;
  }

  /** The fuse backend for one session: a clone of the shared mount, or a server of its own. */
  public ToolsRoot forSession() {
    return new SessionClone();
  }

  /**
   * A detached clone of the shared mount, made (or made anew) first if need be; empty when this
   * kernel refuses to clone a detached mount.
   */
  private synchronized Optional<Fd> cloneShared() {
    if (clonesRefused) {
      return Optional.empty();
    }
    if (shared == null || !shared.serving()) {
      close();
      FuseTools made = new FuseTools(root, servers);
      mount = made.detachedMount();
      shared = made;
      Thread.ofPlatform().daemon().name("cntrfs-idle-release").start(() -> releaseWhenIdle(made));
    }
    Optional<Fd> clone =
        Sys.cloneDetachedMount(mount, FS, "clone the shared cntrfs mount of " + root);
    if (clone.isEmpty()) {
      clonesRefused = true;
      close();
      return clone;
    }
    sessions++;
    return clone;
  }

  private synchronized void sessionEnded() {
    sessions--;
    if (sessions == 0) {
      idleSince = System.nanoTime();
      notifyAll();
    }
  }

  /** Closes {@code made} once it has been unused for {@code idle}, unless it was replaced. */
  private synchronized void releaseWhenIdle(FuseTools made) {
    try {
      while (shared == made) {
        if (sessions > 0) {
          wait();
          continue;
        }
        long left = idle.toNanos() - (System.nanoTime() - idleSince);
        if (left <= 0) {
          close();
          return;
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops the shared server; sessions that hold a clone lose their tools root. */
  @Override
  public synchronized void close() {
    notifyAll();
    if (mount != null) {
      mount.close();
      mount = null;
    }
    if (shared != null) {
      shared.close();
      shared = null;
    }
  }

  /** One session's view of the shared mount; closing it leaves the server to the next session. */
  private final class SessionClone implements ToolsRoot {
    private FuseTools own;
    private boolean cloned;

    @Override
    public Fd detachedMount() {
      Optional<Fd> clone = cloneShared();
      if (clone.isPresent()) {
        cloned = true;
        return clone.get();
      }
      own = new FuseTools(root, servers);
      return own.detachedMount();
    }

    @Override
    public boolean servedByAgent() {
      return true;
    }

    @Override
    public String name() {
      return "fuse";
    }

    @Override
    public void close() {
      if (cloned) {
        cloned = false;
        sessionEnded();
      }
      if (own != null) {
        own.close();
      }
    }
  }
}
