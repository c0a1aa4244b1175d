package dev.lambdacntr.cntrfs;

import dev.lambdacntr.cntrfs.fuse.Kernel;
import dev.lambdacntr.sys.Libc;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The kernel's view of the source tree: node IDs handed out by lookups, with reference counts. A
 * file reached by two names (a hard link) is one inode with one node ID.
 *
 * <p>Each known inode holds a descriptor, so the table has a size ({@code maxInodes}) above which
 * the pruner asks the kernel to forget inodes. A walk of a large tree (READDIRPLUS answers a whole
 * directory at a time) creates them faster than the kernel's FORGETs come back: crossing the size
 * wakes the pruner at once, {@link #crowded()} tells READDIRPLUS to answer with names only until
 * the kernel has forgotten enough, and a lookup that still meets EMFILE waits for room ({@link
 * #awaitRoom}) instead of failing the caller's system call.
 */
final class InodeTable {
  private final ConcurrentHashMap<Long, Inode> byId = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Inode.InodeKey, Inode> byKey = new ConcurrentHashMap<>();
  private final AtomicLong nextId = new AtomicLong(Kernel.ROOT_ID + 1);
  private final Semaphore pressure = new Semaphore(0);
  private final Inode root;
  private final int maxInodes;

  InodeTable(int rootFd, long dev, long ino, int type, int maxInodes) {
    this.maxInodes = maxInodes;
    root = new Inode(Kernel.ROOT_ID, dev, ino, rootFd, type);
    root.lookups = 1;
    byId.put(root.nodeId, root);
    byKey.put(root.key(), root);
  }

  Inode root() {
    return root;
  }

  /** The inode for a node ID the kernel sent, or null when it is unknown (a kernel bug). */
  Inode get(long nodeId) {
    Inode inode = byId.get(nodeId);
    if (inode != null) {
      inode.lastUsed = System.nanoTime();
    }
    return inode;
  }

  int size() {
    return byId.size();
  }

  int maxInodes() {
    return maxInodes;
  }

  /** Whether the table has reached its size: new inodes only where a request needs one. */
  boolean crowded() {
    return byId.size() >= maxInodes;
  }

  /** Wakes the pruner now rather than at its next poll. */
  void wakePruner() {
    if (pressure.availablePermits() == 0) {
      pressure.release();
    }
  }

  /** For the pruner: waits until the table crosses its size or {@code millis} have passed. */
  void awaitPressure(long millis) throws InterruptedException {
    if (pressure.tryAcquire(millis, TimeUnit.MILLISECONDS)) {
      pressure.drainPermits();
    }
  }

  /**
   * After EMFILE: wakes the pruner and waits at most {@code millis} for the kernel's FORGETs (read
   * by the other serving threads) to bring the table below its size; true if they did.
   */
  boolean awaitRoom(long millis) {
    wakePruner();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (crowded()) {
      if (System.nanoTime() - deadline > 0) {
        return false;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
    return true;
  }

  /**
   * Records one more kernel reference to the file that {@code fd} (a fresh O_PATH descriptor)
   * names. When the file is already known, {@code fd} is closed and the known inode returned.
   */
  Inode reference(int fd, long dev, long ino, int type) {
    Inode.InodeKey key = new Inode.InodeKey(dev, ino);
    boolean[] created = {false};
    Inode inode =
        byKey.compute(
            key,
            (k, existing) -> {
              if (existing != null) {
                existing.lookups++;
                return existing;
              }
              created[0] = true;
              Inode fresh = new Inode(nextId.getAndIncrement(), dev, ino, fd, type);
              fresh.lookups = 1;
              byId.put(fresh.nodeId, fresh);
              return fresh;
            });
    if (!created[0]) {
      Libc.close(fd);
    } else if (byId.size() > maxInodes) {
      wakePruner();
    }
    inode.lastUsed = System.nanoTime();
    return inode;
  }

  /** Drops {@code count} kernel references; the last one closes the inode's descriptor. */
  void forget(long nodeId, long count) {
    Inode inode = byId.get(nodeId);
    if (inode == null || inode == root) {
      return;
    }
    boolean[] gone = {false};
    byKey.computeIfPresent(
        inode.key(),
        (k, current) -> {
          if (current != inode) {
            return current;
          }
          inode.lookups -= count;
          if (inode.lookups > 0) {
            return inode;
          }
          gone[0] = true;
          byId.remove(nodeId);
          return null;
        });
    if (gone[0]) {
      Libc.close(inode.fd);
    }
  }

  /** Up to {@code count} node IDs of the least recently used inodes without open files. */
  List<Long> pruneCandidates(int count) {
    // Snapshot the use times first: they change while we sort.
    record Use(long nodeId, long lastUsed) {}
    List<Use> idle = new ArrayList<>();
    for (Inode inode : byId.values()) {
      if (inode != root && inode.opens == 0) {
        idle.add(new Use(inode.nodeId, inode.lastUsed));
      }
    }
    idle.sort(Comparator.comparingLong(Use::lastUsed));
    List<Long> ids = new ArrayList<>(Math.min(count, idle.size()));
    for (int i = 0; i < idle.size() && i < count; i++) {
      ids.add(idle.get(i).nodeId());
    }
    return ids;
  }

  /** Closes every descriptor; called once the connection is gone. */
  void closeAll() {
    for (Inode inode : byId.values()) {
      if (inode != root) {
        Libc.close(inode.fd);
      }
    }
    byId.clear();
    byKey.clear();
  }
}
