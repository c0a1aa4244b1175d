package dev.lambdacntr.cntrfs;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.lambdacntr.cntrfs.fuse.FuseLayouts.InitIn;
import dev.lambdacntr.cntrfs.fuse.FuseLayouts.InitOut;
import dev.lambdacntr.cntrfs.fuse.FuseLayouts.NotifyPruneOut;
import dev.lambdacntr.cntrfs.fuse.FuseLayouts.OutHeader;
import dev.lambdacntr.cntrfs.fuse.Kernel;
import dev.lambdacntr.sys.Errno;
import dev.lambdacntr.sys.Fcntl;
import dev.lambdacntr.sys.Libc;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One FUSE connection being served: the INIT handshake, the serving threads, the pruning of inodes
 * the kernel need not remember, and the end of it all (unmount, abort or failure).
 */
final class FuseSession {
  static final int MAX_PAGES = 256;
  static final int MAX_WRITE = MAX_PAGES * 4096;
  static final int BUFFER = MAX_WRITE + 4096;

  private final int deviceFd;
  private final CntrfsOptions options;
  private final Operations ops;
  private final Backings backings;
  private final InodeTable inodes;
  private final int procFd;
  private final long connection;
  private final PrintStream log;
  private final List<Thread> threads = new ArrayList<>();
  private final List<Integer> clonedFds = new ArrayList<>();
  private final AtomicInteger running = new AtomicInteger();
  private final CountDownLatch done = new CountDownLatch(1);
  private volatile boolean stopping;
  private volatile boolean initialized;
  private volatile int minor;
  private volatile long negotiated;
  private volatile String endReason = "running";

  FuseSession(
      int deviceFd,
      int rootFd,
      int procFd,
      long rootDev,
      long rootIno,
      CntrfsOptions options,
      PrintStream log) {
    this.deviceFd = deviceFd;
    this.options = options;
    this.procFd = procFd;
    this.log = log;
    this.inodes =
        new InodeTable(
            rootFd,
            rootDev,
            rootIno,
            Fcntl.S_IFDIR,
            options.maxInodes() > 0 ? options.maxInodes() : defaultMaxInodes());
    this.backings =
        new Backings(false, options.passthrough() == CntrfsOptions.Passthrough.ON, this::log);
    this.ops = new Operations(inodes, procFd, options, backings);
    this.connection = FuseDevice.connectionOf(deviceFd);
  }

  /** Starts the serving threads; the first request they see must be INIT. */
  void start() {
    for (int i = 0; i < options.threads(); i++) {
      int fd = i == 0 || !options.cloneDevice() ? deviceFd : cloneDevice();
      Worker worker = new Worker(this, ops, fd, BUFFER);
      threads.add(platformThread("cntrfs-" + i, worker));
    }
    running.set(threads.size());
    threads.add(platformThread("cntrfs-pruner", this::pruneLoop));
    for (Thread t : threads) {
      t.start();
    }
  }

  private static Thread platformThread(String name, Runnable body) {
    return Thread.ofPlatform().name(name).daemon(true).unstarted(body);
  }

  private int cloneDevice() {
    int fd =
        Libc.openat(Fcntl.AT_FDCWD, FuseDevice.devicePath(), Fcntl.O_RDWR | Fcntl.O_CLOEXEC, 0);
    if (fd < 0) {
      return deviceFd;
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment master = arena.allocate(JAVA_INT);
      master.set(JAVA_INT, 0, deviceFd);
      if (Libc.ioctl(fd, Kernel.DEV_IOC_CLONE, master) < 0) {
        Libc.close(fd);
        return deviceFd;
      }
    }
    synchronized (clonedFds) {
      clonedFds.add(fd);
    }
    return fd;
  }

  Operations operations() {
    return ops;
  }

  boolean stopping() {
    return stopping;
  }

  boolean debug() {
    return options.debug();
  }

  long connection() {
    return connection;
  }

  boolean passthrough() {
    return backings.enabled();
  }

  long negotiatedFlags() {
    return negotiated;
  }

  int protocolMinor() {
    return minor;
  }

  String endReason() {
    return endReason;
  }

  void log(String message) {
    log.println("cntrfs: " + Instant.now() + " " + message);
  }

  /** Answers INIT: what we want of what the kernel offers. Runs once, before any other request. */
  int init(Worker w) {
    Request q = w.request;
    int major = q.i32(InitIn.MAJOR);
    int kernelMinor = q.i32(InitIn.MINOR);
    int maxReadahead = q.i32(InitIn.MAX_READAHEAD);
    long offered = q.i32(InitIn.FLAGS) & 0xffffffffL;
    if ((offered & Kernel.INIT_EXT) != 0) {
      offered |= (q.i32(InitIn.FLAGS2) & 0xffffffffL) << 32;
    }
    if (major != Kernel.MAJOR || kernelMinor < Kernel.MIN_MINOR) {
      log(
          "kernel speaks FUSE "
              + major
              + "."
              + kernelMinor
              + "; cntrfs needs 7."
              + Kernel.MIN_MINOR);
      return -Errno.EPROTO;
    }
    boolean passthrough =
        options.passthrough() != CntrfsOptions.Passthrough.OFF
            && (offered & Kernel.PASSTHROUGH) != 0
            && kernelMinor >= 40
            && FuseDevice.hasSysAdmin();
    if (options.passthrough() == CntrfsOptions.Passthrough.ON && !passthrough) {
      log("passthrough=on, but the kernel does not offer it or the server lacks CAP_SYS_ADMIN");
    }
    long want =
        Kernel.ASYNC_READ
            | Kernel.PARALLEL_DIROPS
            | Kernel.ATOMIC_O_TRUNC
            | Kernel.BIG_WRITES
            | Kernel.MAX_PAGES
            | Kernel.DO_READDIRPLUS
            | Kernel.READDIRPLUS_AUTO
            | Kernel.CACHE_SYMLINKS
            | Kernel.HANDLE_KILLPRIV_V2
            | Kernel.CREATE_SUPP_GROUP
            | Kernel.ASYNC_DIO
            | Kernel.INIT_EXT;
    if (passthrough) {
      want |= Kernel.PASSTHROUGH;
    } else {
      want |= Kernel.AUTO_INVAL_DATA;
      if (options.writebackCache()) {
        want |= Kernel.WRITEBACK_CACHE;
      }
    }
    long flags = want & offered;
    negotiated = flags;
    minor = Math.min(kernelMinor, Kernel.MINOR);
    backings.enable((flags & Kernel.PASSTHROUGH) != 0);
    ops.keepCache(true);
    ops.writebackCache((flags & Kernel.WRITEBACK_CACHE) != 0);
    Reply out = w.reply;
    out.clear(0, InitOut.SIZE);
    out.i32(InitOut.MAJOR, 0, Kernel.MAJOR);
    out.i32(InitOut.MINOR, 0, minor);
    out.i32(InitOut.MAX_READAHEAD, 0, maxReadahead);
    out.i32(InitOut.FLAGS, 0, (int) flags);
    out.i16(InitOut.MAX_BACKGROUND, 0, 64);
    out.i16(InitOut.CONGESTION_THRESHOLD, 0, 48);
    out.i32(InitOut.MAX_WRITE, 0, MAX_WRITE);
    out.i32(InitOut.TIME_GRAN, 0, 1);
    out.i16(InitOut.MAX_PAGES, 0, MAX_PAGES);
    out.i32(InitOut.FLAGS2, 0, (int) (flags >>> 32));
    out.i32(InitOut.MAX_STACK_DEPTH, 0, (flags & Kernel.PASSTHROUGH) != 0 ? 2 : 0);
    initialized = true;
    log(
        "connected: FUSE 7."
            + minor
            + ((flags & Kernel.PASSTHROUGH) != 0
                ? ", file data by passthrough"
                : (flags & Kernel.WRITEBACK_CACHE) != 0
                    ? ", file data through the server, writeback cache"
                    : ", file data through the server")
            + (options.debug() ? ", flags 0x" + Long.toHexString(flags) : ""));
    return InitOut.SIZE;
  }

  boolean initialized() {
    return initialized;
  }

  /** A serving thread saw the connection end with {@code errno} (ENODEV: unmounted). */
  void ended(int errno) {
    if (!stopping) {
      endReason =
          errno == Errno.ENODEV
              ? "unmounted"
              : errno == Errno.ECONNABORTED
                  ? "aborted"
                  : "device read failed: " + Errno.name(errno);
    }
    stopping = true;
  }

  void destroyed() {
    endReason = "destroyed";
    stopping = true;
  }

  /** A serving thread died of something unexpected: abort so that no caller waits forever. */
  void fail(Throwable t) {
    endReason = "failed: " + t;
    log("serving thread failed, aborting the connection: " + t);
    stopping = true;
    abort();
  }

  /** Called by each serving thread as it ends; the last one releases everything. */
  void threadExited() {
    if (running.decrementAndGet() == 0) {
      finish();
    }
  }

  private void finish() {
    ops.closeAll();
    inodes.closeAll();
    synchronized (clonedFds) {
      for (int fd : clonedFds) {
        Libc.close(fd);
      }
      clonedFds.clear();
    }
    Libc.close(procFd);
    Libc.close(deviceFd);
    done.countDown();
  }

  /** Stops serving: aborts the connection, so every waiting caller gets ENOTCONN. */
  void stop() {
    if (done.getCount() == 0) {
      return;
    }
    if (!stopping) {
      endReason = "stopped";
    }
    stopping = true;
    abort();
  }

  private void abort() {
    if (connection < 0) {
      log("cannot abort the FUSE connection: its number is unknown");
      return;
    }
    String error = FuseControl.abort(connection);
    if (error != null) {
      log(error);
    }
  }

  boolean await(long timeout, TimeUnit unit) throws InterruptedException {
    return done.await(timeout, unit);
  }

  void await() throws InterruptedException {
    done.await();
  }

  boolean finished() {
    return done.getCount() == 0;
  }

  // ---- pruning

  private void pruneLoop() {
    boolean warned = false;
    while (!stopping) {
      try {
        inodes.awaitPressure(100);
      } catch (InterruptedException e) {
        return;
      }
      int maxInodes = inodes.maxInodes();
      if (!initialized || inodes.size() <= maxInodes) {
        continue;
      }
      if (minor < 45) {
        if (!warned) {
          log("kernel cannot prune (FUSE 7." + minor + "): inodes are bounded by RLIMIT_NOFILE");
          warned = true;
        }
        continue;
      }
      int excess = inodes.size() - maxInodes * 3 / 4;
      try {
        prune(inodes.pruneCandidates(excess));
      } catch (RuntimeException e) {
        log("pruning failed: " + e);
      }
    }
  }

  private void prune(List<Long> nodeIds) {
    try (Arena arena = Arena.ofConfined()) {
      for (int from = 0; from < nodeIds.size(); from += 512) {
        int count = Math.min(512, nodeIds.size() - from);
        // fuse_out_header, fuse_notify_prune_out, then the node IDs
        int nodeIdsAt = OutHeader.SIZE + NotifyPruneOut.SIZE;
        int length = nodeIdsAt + Long.BYTES * count;
        MemorySegment msg = arena.allocate(length, Long.BYTES);
        OutHeader.LEN.set(msg, 0L, length);
        OutHeader.ERROR.set(msg, 0L, Kernel.NOTIFY_PRUNE);
        OutHeader.UNIQUE.set(msg, 0L, 0L);
        NotifyPruneOut.COUNT.set(msg, (long) OutHeader.SIZE, count);
        MemorySegment.copy(
            nodeIds.subList(from, from + count).stream().mapToLong(Long::longValue).toArray(),
            0,
            msg,
            JAVA_LONG,
            nodeIdsAt,
            count);
        long r = Libc.write(deviceFd, msg, length);
        if (r < 0 && options.debug()) {
          log("prune notification failed: " + Errno.name((int) -r));
        }
      }
    }
  }

  private static int defaultMaxInodes() {
    long limit = FuseDevice.openFileLimit();
    return (int) Math.max(1000, Math.min(Integer.MAX_VALUE, limit * 6 / 10));
  }
}
