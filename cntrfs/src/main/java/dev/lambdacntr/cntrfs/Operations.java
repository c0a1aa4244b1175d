package dev.lambdacntr.cntrfs;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import dev.lambdacntr.cntrfs.fuse.FuseLayouts;
import dev.lambdacntr.cntrfs.fuse.FuseLayouts.AttrOut;
import dev.lambdacntr.cntrfs.fuse.FuseLayouts.BatchForgetIn;
import dev.lambdacntr.cntrfs.fuse.FuseLayouts.CopyFileRangeIn;
import dev.lambdacntr.cntrfs.fuse.FuseLayouts.CreateIn;
import dev.lambdacntr.cntrfs.fuse.FuseLayouts.Dirent;
import dev.lambdacntr.cntrfs.fuse.FuseLayouts.Direntplus;
import dev.lambdacntr.cntrfs.fuse.FuseLayouts.EntryOut;
import dev.lambdacntr.cntrfs.fuse.FuseLayouts.FallocateIn;
import dev.lambdacntr.cntrfs.fuse.FuseLayouts.ForgetIn;
import dev.lambdacntr.cntrfs.fuse.FuseLayouts.ForgetOne;
import dev.lambdacntr.cntrfs.fuse.FuseLayouts.FsyncIn;
import dev.lambdacntr.cntrfs.fuse.FuseLayouts.GetxattrIn;
import dev.lambdacntr.cntrfs.fuse.FuseLayouts.GetxattrOut;
import dev.lambdacntr.cntrfs.fuse.FuseLayouts.LinkIn;
import dev.lambdacntr.cntrfs.fuse.FuseLayouts.LseekIn;
import dev.lambdacntr.cntrfs.fuse.FuseLayouts.LseekOut;
import dev.lambdacntr.cntrfs.fuse.FuseLayouts.MkdirIn;
import dev.lambdacntr.cntrfs.fuse.FuseLayouts.MknodIn;
import dev.lambdacntr.cntrfs.fuse.FuseLayouts.OpenIn;
import dev.lambdacntr.cntrfs.fuse.FuseLayouts.OpenOut;
import dev.lambdacntr.cntrfs.fuse.FuseLayouts.ReadIn;
import dev.lambdacntr.cntrfs.fuse.FuseLayouts.ReleaseIn;
import dev.lambdacntr.cntrfs.fuse.FuseLayouts.Rename2In;
import dev.lambdacntr.cntrfs.fuse.FuseLayouts.RenameIn;
import dev.lambdacntr.cntrfs.fuse.FuseLayouts.SetattrIn;
import dev.lambdacntr.cntrfs.fuse.FuseLayouts.SetxattrIn;
import dev.lambdacntr.cntrfs.fuse.FuseLayouts.StatfsOut;
import dev.lambdacntr.cntrfs.fuse.FuseLayouts.WriteIn;
import dev.lambdacntr.cntrfs.fuse.FuseLayouts.WriteOut;
import dev.lambdacntr.cntrfs.fuse.Kernel;
import dev.lambdacntr.cntrfs.fuse.Opcode;
import dev.lambdacntr.sys.Errno;
import dev.lambdacntr.sys.Fcntl;
import dev.lambdacntr.sys.Libc;
import dev.lambdacntr.sys.Stat;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The file system: every FUSE operation mapped onto the source tree with *at() system calls on the
 * O_PATH descriptors of the inode table. Each method returns the reply's payload length, a negated
 * errno, or {@link #NO_REPLY}; none lets an exception escape to the serving loop as anything but
 * EIO.
 */
final class Operations {
  static final int NO_REPLY = Integer.MIN_VALUE;

  private static final int OPEN_FLAGS_DROPPED =
      Fcntl.O_CREAT | Fcntl.O_EXCL | Fcntl.O_NOCTTY | Fcntl.O_NOFOLLOW;

  /** The SETATTR bits that change an attribute. */
  private static final int ATTRIBUTE_CHANGES =
      Kernel.FATTR_MODE
          | Kernel.FATTR_UID
          | Kernel.FATTR_GID
          | Kernel.FATTR_SIZE
          | Kernel.FATTR_ATIME
          | Kernel.FATTR_MTIME;

  /** How long a lookup that met EMFILE waits for the pruner to free descriptors. */
  private static final long ROOM_WAIT_MILLIS = 200;

  private final InodeTable inodes;
  private final int procFd;
  private final long validSeconds;
  private final int validNanos;
  private final Backings backings;
  private final ConcurrentHashMap<Long, DirectoryHandle> directories = new ConcurrentHashMap<>();
  private volatile boolean xattrAt = true;
  private volatile boolean keepCache;
  private volatile boolean writeback;

  Operations(InodeTable inodes, int procFd, CntrfsOptions options, Backings backings) {
    this.inodes = inodes;
    this.procFd = procFd;
    this.validSeconds = options.timeout().toSeconds();
    this.validNanos = options.timeout().toNanosPart();
    this.backings = backings;
  }

  void keepCache(boolean keep) {
    keepCache = keep;
  }

  void writebackCache(boolean on) {
    writeback = on;
  }

  /**
   * The flags for the server's own descriptor of an open file. Under passthrough it only serves
   * fsync, fallocate and the like, so O_DIRECT is dropped. Under the writeback cache the kernel
   * reads pages of write-only files and does appends itself, so the descriptor must be readable and
   * not O_APPEND.
   */
  private int fileFlags(int flags) {
    if (backings.enabled()) {
      return flags & ~Fcntl.O_DIRECT;
    }
    if (writeback) {
      int f = flags & ~Fcntl.O_APPEND;
      return (f & Fcntl.O_ACCMODE) == Fcntl.O_WRONLY ? (f & ~Fcntl.O_ACCMODE) | Fcntl.O_RDWR : f;
    }
    return flags;
  }

  InodeTable inodes() {
    return inodes;
  }

  int dispatch(int opcode, Worker w) {
    return switch (opcode) {
      case Opcode.LOOKUP -> lookup(w);
      case Opcode.FORGET -> forget(w);
      case Opcode.BATCH_FORGET -> batchForget(w);
      case Opcode.GETATTR -> getattr(w);
      case Opcode.SETATTR -> setattr(w);
      case Opcode.READLINK -> readlink(w);
      case Opcode.SYMLINK -> symlink(w);
      case Opcode.MKNOD -> mknod(w);
      case Opcode.MKDIR -> mkdir(w);
      case Opcode.UNLINK -> unlink(w, 0);
      case Opcode.RMDIR -> unlink(w, Fcntl.AT_REMOVEDIR);
      case Opcode.RENAME -> rename(w, RenameIn.SIZE, 0);
      case Opcode.RENAME2 -> rename(w, Rename2In.SIZE, w.request.i32(Rename2In.FLAGS));
      case Opcode.LINK -> link(w);
      case Opcode.OPEN -> open(w);
      case Opcode.CREATE -> create(w);
      case Opcode.READ -> read(w);
      case Opcode.WRITE -> write(w);
      case Opcode.STATFS -> statfs(w);
      case Opcode.RELEASE -> release(w);
      case Opcode.FSYNC -> fsync(w, w.request.i32(FsyncIn.FSYNC_FLAGS));
      case Opcode.OPENDIR -> opendir(w);
      case Opcode.READDIR -> readdir(w, false);
      case Opcode.READDIRPLUS -> readdir(w, true);
      case Opcode.RELEASEDIR -> releasedir(w);
      case Opcode.FSYNCDIR -> fsyncdir(w);
      case Opcode.SETXATTR -> setxattr(w);
      case Opcode.GETXATTR -> getxattr(w, false);
      case Opcode.LISTXATTR -> getxattr(w, true);
      case Opcode.REMOVEXATTR -> removexattr(w);
      case Opcode.FALLOCATE -> fallocate(w);
      case Opcode.LSEEK -> lseek(w);
      case Opcode.COPY_FILE_RANGE -> copyFileRange(w);
      case Opcode.INTERRUPT -> NO_REPLY;
      case Opcode.DESTROY -> 0;
      default -> -Errno.ENOSYS;
    };
  }

  // ---- names and attributes

  private int lookup(Worker w) {
    Inode parent = inodes.get(w.request.nodeId());
    if (parent == null) {
      return -Errno.ESTALE;
    }
    MemorySegment name = w.request.at(0);
    int r = entry(w, parent, name, 0);
    if (r == -Errno.ENOENT && (validSeconds > 0 || validNanos > 0)) {
      w.reply.negativeEntry(0, validSeconds, validNanos);
      return EntryOut.SIZE;
    }
    return r;
  }

  /**
   * Looks {@code name} up in {@code parent}, records the kernel reference and writes a
   * fuse_entry_out at {@code offset}; returns its length or a negated errno.
   */
  private int entry(Worker w, Inode parent, MemorySegment name, int offset) {
    int fd = Libc.openat(parent.fd, name, Fcntl.O_PATH | Fcntl.O_NOFOLLOW | Fcntl.O_CLOEXEC, 0);
    if ((fd == -Errno.EMFILE || fd == -Errno.ENFILE) && inodes.awaitRoom(ROOM_WAIT_MILLIS)) {
      // The descriptors are held by inodes the kernel is about to forget: not the caller's error.
      fd = Libc.openat(parent.fd, name, Fcntl.O_PATH | Fcntl.O_NOFOLLOW | Fcntl.O_CLOEXEC, 0);
    }
    if (fd < 0) {
      return fd;
    }
    MemorySegment st = w.scratch.stat;
    int r = Libc.fstatat(fd, w.scratch.empty, st, Fcntl.AT_EMPTY_PATH | Fcntl.AT_SYMLINK_NOFOLLOW);
    if (r < 0) {
      Libc.close(fd);
      return r;
    }
    Inode inode = inodes.reference(fd, Stat.dev(st), Stat.ino(st), Stat.mode(st) & Fcntl.S_IFMT);
    w.reply.entry(offset, inode.nodeId, validSeconds, validNanos, st);
    return EntryOut.SIZE;
  }

  private int forget(Worker w) {
    inodes.forget(w.request.nodeId(), w.request.i64(ForgetIn.NLOOKUP));
    return NO_REPLY;
  }

  private int batchForget(Worker w) {
    int count = w.request.i32(BatchForgetIn.COUNT);
    for (int i = 0; i < count; i++) {
      int at = BatchForgetIn.SIZE + ForgetOne.SIZE * i;
      if (!w.request.hasArgs(at, ForgetOne.SIZE)) {
        break;
      }
      inodes.forget(w.request.i64(ForgetOne.NODEID, at), w.request.i64(ForgetOne.NLOOKUP, at));
    }
    return NO_REPLY;
  }

  private int stat(Worker w, Inode inode, MemorySegment st) {
    return Libc.fstatat(
        inode.fd, w.scratch.empty, st, Fcntl.AT_EMPTY_PATH | Fcntl.AT_SYMLINK_NOFOLLOW);
  }

  private int attrReply(Worker w, Inode inode) {
    int r = stat(w, inode, w.scratch.stat);
    if (r < 0) {
      return r;
    }
    w.reply.i64(AttrOut.ATTR_VALID, 0, validSeconds);
    w.reply.i32(AttrOut.ATTR_VALID_NSEC, 0, validNanos);
    w.reply.i32(AttrOut.DUMMY, 0, 0);
    w.reply.attr(AttrOut.ATTR, w.scratch.stat);
    return AttrOut.SIZE;
  }

  private int getattr(Worker w) {
    Inode inode = inodes.get(w.request.nodeId());
    return inode == null ? -Errno.ESTALE : attrReply(w, inode);
  }

  private int setattr(Worker w) {
    Inode inode = inodes.get(w.request.nodeId());
    if (inode == null) {
      return -Errno.ESTALE;
    }
    Request q = w.request;
    int valid = q.i32(SetattrIn.VALID);
    int fh = (valid & Kernel.FATTR_FH) != 0 ? (int) q.i64(SetattrIn.FH) : -1;
    if (fh >= 0 && directories.containsKey((long) fh)) {
      fh = -1;
    }
    int r;
    if ((valid & Kernel.FATTR_MODE) != 0) {
      int mode = q.i32(SetattrIn.MODE) & 07777;
      if (fh >= 0) {
        r = Libc.fchmod(fh, mode);
      } else if (inode.type == Fcntl.S_IFLNK) {
        r = -Errno.EOPNOTSUPP;
      } else {
        r = Libc.fchmodat(procFd, w.scratch.fdName(inode.fd), mode, 0);
      }
      if (r < 0) {
        return r;
      }
    }
    if ((valid & (Kernel.FATTR_UID | Kernel.FATTR_GID)) != 0) {
      int uid = (valid & Kernel.FATTR_UID) != 0 ? q.i32(SetattrIn.UID) : -1;
      int gid = (valid & Kernel.FATTR_GID) != 0 ? q.i32(SetattrIn.GID) : -1;
      r =
          Libc.fchownat(
              inode.fd, w.scratch.empty, uid, gid, Fcntl.AT_EMPTY_PATH | Fcntl.AT_SYMLINK_NOFOLLOW);
      if (r < 0) {
        return r;
      }
    }
    if ((valid & Kernel.FATTR_SIZE) != 0) {
      long size = q.i64(SetattrIn.SIZE_FIELD);
      if (fh >= 0) {
        r = Libc.ftruncate(fh, size);
      } else {
        int fd = reopen(w, inode, Fcntl.O_WRONLY);
        if (fd < 0) {
          return fd;
        }
        r = Libc.ftruncate(fd, size);
        Libc.close(fd);
      }
      if (r < 0) {
        return r;
      }
      if ((valid & Kernel.FATTR_KILL_SUIDGID) != 0 && (valid & Kernel.FATTR_MODE) == 0) {
        killSuidgid(w, inode);
      }
    }
    if ((valid & (Kernel.FATTR_ATIME | Kernel.FATTR_MTIME)) != 0) {
      MemorySegment t = w.scratch.times;
      time(
          t,
          0,
          valid,
          Kernel.FATTR_ATIME,
          Kernel.FATTR_ATIME_NOW,
          q.i64(SetattrIn.ATIME),
          q.i32(SetattrIn.ATIMENSEC));
      time(
          t,
          16,
          valid,
          Kernel.FATTR_MTIME,
          Kernel.FATTR_MTIME_NOW,
          q.i64(SetattrIn.MTIME),
          q.i32(SetattrIn.MTIMENSEC));
      r =
          Libc.utimensat(
              inode.fd, w.scratch.empty, t, Fcntl.AT_EMPTY_PATH | Fcntl.AT_SYMLINK_NOFOLLOW);
      if (r < 0) {
        return r;
      }
    }
    if ((valid & ATTRIBUTE_CHANGES) == 0) {
      r = chownToItself(w, inode);
      if (r < 0) {
        return r;
      }
    }
    return attrReply(w, inode);
  }

  /**
   * Answers a SETATTR that changes no attribute. The kernel sends one for chown(path, -1, -1); and,
   * under FUSE_HANDLE_KILLPRIV_V2, for the privileges a write by a caller without CAP_FSETID drops
   * before it writes (the kernel leaves that to the server and strips the bits from the request),
   * also before a write through passthrough. chown(-1, -1) on the source file lets the file system
   * underneath do what it does natively for both: update ctime, clear set-user-ID and set-group-ID
   * on a group-executable file, and remove security.capability.
   */
  private int chownToItself(Worker w, Inode inode) {
    MemorySegment st = w.scratch.stat2;
    int r = stat(w, inode, st);
    if (r < 0) {
      return r;
    }
    if (!SetIdBits.chownMayClear(w.request.uid(), Stat.uid(st), Stat.mode(st))) {
      return -Errno.EPERM;
    }
    return Libc.fchownat(
        inode.fd, w.scratch.empty, -1, -1, Fcntl.AT_EMPTY_PATH | Fcntl.AT_SYMLINK_NOFOLLOW);
  }

  /**
   * Clears set-user-ID, and set-group-ID on a group-executable file, as a write or truncate by a
   * caller without CAP_FSETID does (the kernel asks for it under FUSE_HANDLE_KILLPRIV_V2).
   */
  private void killSuidgid(Worker w, Inode inode) {
    if (stat(w, inode, w.scratch.stat2) < 0) {
      return;
    }
    int mode = Stat.mode(w.scratch.stat2);
    int kill = SetIdBits.clearedByWrite(mode);
    if (kill != 0) {
      Libc.fchmodat(procFd, w.scratch.fdName(inode.fd), mode & 07777 & ~kill, 0);
    }
  }

  private static void time(
      MemorySegment t, int at, int valid, int setBit, int nowBit, long seconds, int nanos) {
    if ((valid & setBit) == 0) {
      t.set(JAVA_LONG_UNALIGNED, at, 0);
      t.set(JAVA_LONG_UNALIGNED, at + 8, Fcntl.UTIME_OMIT);
    } else if ((valid & nowBit) != 0) {
      t.set(JAVA_LONG_UNALIGNED, at, 0);
      t.set(JAVA_LONG_UNALIGNED, at + 8, Fcntl.UTIME_NOW);
    } else {
      t.set(JAVA_LONG_UNALIGNED, at, seconds);
      t.set(JAVA_LONG_UNALIGNED, at + 8, nanos & 0xffffffffL);
    }
  }

  private int readlink(Worker w) {
    Inode inode = inodes.get(w.request.nodeId());
    if (inode == null) {
      return -Errno.ESTALE;
    }
    long n = Libc.readlinkat(inode.fd, w.scratch.empty, w.reply.payload(), w.reply.capacity());
    return (int) n;
  }

  private int statfs(Worker w) {
    Inode inode = inodes.get(w.request.nodeId());
    if (inode == null) {
      return -Errno.ESTALE;
    }
    MemorySegment sfs = w.scratch.stat;
    int r = Libc.fstatfs(inode.fd, sfs);
    if (r < 0) {
      return r;
    }
    Reply out = w.reply;
    out.clear(0, StatfsOut.SIZE);
    out.i64(StatfsOut.BLOCKS, 0, sfs.get(JAVA_LONG_UNALIGNED, 16));
    out.i64(StatfsOut.BFREE, 0, sfs.get(JAVA_LONG_UNALIGNED, 24));
    out.i64(StatfsOut.BAVAIL, 0, sfs.get(JAVA_LONG_UNALIGNED, 32));
    out.i64(StatfsOut.FILES, 0, sfs.get(JAVA_LONG_UNALIGNED, 40));
    out.i64(StatfsOut.FFREE, 0, sfs.get(JAVA_LONG_UNALIGNED, 48));
    out.i32(StatfsOut.BSIZE, 0, (int) sfs.get(JAVA_LONG_UNALIGNED, 8));
    out.i32(StatfsOut.NAMELEN, 0, (int) sfs.get(JAVA_LONG_UNALIGNED, 64));
    out.i32(StatfsOut.FRSIZE, 0, (int) sfs.get(JAVA_LONG_UNALIGNED, 72));
    return StatfsOut.SIZE;
  }

  // ---- creating and removing names

  private int symlink(Worker w) {
    Inode parent = inodes.get(w.request.nodeId());
    if (parent == null) {
      return -Errno.ESTALE;
    }
    MemorySegment name = w.request.at(0);
    MemorySegment target = w.request.at(w.request.afterName(0));
    w.credentials.becomeCaller(w.request.uid(), w.request.gid(), w.request.supplementaryGroup());
    int r = Libc.symlinkat(target, parent.fd, name);
    w.credentials.becomeServer();
    return r < 0 ? r : entry(w, parent, name, 0);
  }

  private int mknod(Worker w) {
    Inode parent = inodes.get(w.request.nodeId());
    if (parent == null) {
      return -Errno.ESTALE;
    }
    int mode = w.request.i32(MknodIn.MODE);
    long rdev = Reply.decodeDev(w.request.i32(MknodIn.RDEV));
    MemorySegment name = w.request.at(MknodIn.SIZE);
    w.credentials.becomeCaller(w.request.uid(), w.request.gid(), w.request.supplementaryGroup());
    int r = Libc.mknodat(parent.fd, name, mode, rdev);
    w.credentials.becomeServer();
    return r < 0 ? r : entry(w, parent, name, 0);
  }

  private int mkdir(Worker w) {
    Inode parent = inodes.get(w.request.nodeId());
    if (parent == null) {
      return -Errno.ESTALE;
    }
    int mode = w.request.i32(MkdirIn.MODE);
    MemorySegment name = w.request.at(MkdirIn.SIZE);
    w.credentials.becomeCaller(w.request.uid(), w.request.gid(), w.request.supplementaryGroup());
    int r = Libc.mkdirat(parent.fd, name, mode);
    w.credentials.becomeServer();
    return r < 0 ? r : entry(w, parent, name, 0);
  }

  private int unlink(Worker w, int flags) {
    Inode parent = inodes.get(w.request.nodeId());
    if (parent == null) {
      return -Errno.ESTALE;
    }
    return Libc.unlinkat(parent.fd, w.request.at(0), flags);
  }

  private int rename(Worker w, int namesAt, int flags) {
    Inode parent = inodes.get(w.request.nodeId());
    Inode newParent = inodes.get(w.request.i64(RenameIn.NEWDIR));
    if (parent == null || newParent == null) {
      return -Errno.ESTALE;
    }
    MemorySegment oldName = w.request.at(namesAt);
    MemorySegment newName = w.request.at(w.request.afterName(namesAt));
    return Libc.renameat2(parent.fd, oldName, newParent.fd, newName, flags);
  }

  private int link(Worker w) {
    Inode target = inodes.get(w.request.i64(LinkIn.OLDNODEID));
    Inode newParent = inodes.get(w.request.nodeId());
    if (target == null || newParent == null) {
      return -Errno.ESTALE;
    }
    MemorySegment name = w.request.at(LinkIn.SIZE);
    int r = Libc.linkat(target.fd, w.scratch.empty, newParent.fd, name, Fcntl.AT_EMPTY_PATH);
    if (r == -Errno.ENOENT || r == -Errno.EPERM) {
      // Without CAP_DAC_READ_SEARCH, link through the /proc/self/fd magic link instead.
      r =
          Libc.linkat(
              procFd, w.scratch.fdName(target.fd), newParent.fd, name, Fcntl.AT_SYMLINK_FOLLOW);
    }
    return r < 0 ? r : entry(w, newParent, name, 0);
  }

  // ---- files

  /** A new descriptor for the file {@code inode} names, opened with {@code flags}. */
  private int reopen(Worker w, Inode inode, int flags) {
    return Libc.openat(
        procFd, w.scratch.fdName(inode.fd), (flags & ~OPEN_FLAGS_DROPPED) | Fcntl.O_CLOEXEC, 0);
  }

  private int open(Worker w) {
    Inode inode = inodes.get(w.request.nodeId());
    if (inode == null) {
      return -Errno.ESTALE;
    }
    int flags = w.request.i32(OpenIn.FLAGS);
    int fd = reopen(w, inode, fileFlags(flags));
    if (fd < 0) {
      return fd;
    }
    if ((flags & Fcntl.O_TRUNC) != 0
        && (w.request.i32(OpenIn.OPEN_FLAGS) & Kernel.OPEN_KILL_SUIDGID) != 0) {
      killSuidgid(w, inode);
    }
    return openReply(w, inode, fd, flags, 0);
  }

  /** Writes a fuse_open_out at {@code offset} for {@code fd}, attaching passthrough. */
  private int openReply(Worker w, Inode inode, int fd, int flags, int offset) {
    int openFlags = 0;
    int backingId = 0;
    if (backings.enabled() && inode.type == Fcntl.S_IFREG) {
      backingId = backings.attach(inode, fd, w.deviceFd(), !writesSetIdFile(w, fd, flags));
    } else {
      backings.track(inode);
    }
    if (backingId > 0) {
      openFlags |= Kernel.FOPEN_PASSTHROUGH;
    } else if ((flags & Fcntl.O_DIRECT) != 0) {
      openFlags |= Kernel.FOPEN_DIRECT_IO;
    } else if (keepCache && !backings.enabled()) {
      // Under passthrough, writes bypass this inode's page cache: a later open must not reuse it.
      openFlags |= Kernel.FOPEN_KEEP_CACHE;
    }
    w.reply.i64(OpenOut.FH, offset, fd);
    w.reply.i32(OpenOut.OPEN_FLAGS, offset, openFlags);
    w.reply.i32(OpenOut.BACKING_ID, offset, Math.max(0, backingId));
    return OpenOut.SIZE;
  }

  private int create(Worker w) {
    Inode parent = inodes.get(w.request.nodeId());
    if (parent == null) {
      return -Errno.ESTALE;
    }
    int flags = w.request.i32(CreateIn.FLAGS);
    int mode = w.request.i32(CreateIn.MODE);
    MemorySegment name = w.request.at(CreateIn.SIZE);
    int fileFlags = fileFlags(flags);
    w.credentials.becomeCaller(w.request.uid(), w.request.gid(), w.request.supplementaryGroup());
    int fd =
        Libc.openat(
            parent.fd,
            name,
            // never through a link that appeared in the source meanwhile, as root or not
            ((fileFlags | Fcntl.O_CREAT | Fcntl.O_CLOEXEC) & ~Fcntl.O_NOCTTY) | Fcntl.O_NOFOLLOW,
            mode);
    w.credentials.becomeServer();
    if (fd < 0) {
      return fd;
    }
    int r = entry(w, parent, name, 0);
    if (r < 0) {
      Libc.close(fd);
      return r;
    }
    Inode inode = inodes.get(w.reply.i64(EntryOut.NODEID, 0));
    if (inode == null) {
      Libc.close(fd);
      return -Errno.EIO;
    }
    return EntryOut.SIZE + openReply(w, inode, fd, flags, EntryOut.SIZE);
  }

  /**
   * Whether {@code fd} is open for writing on a file whose set-user-ID or set-group-ID bit a write
   * by an unprivileged caller clears. Such a file is not written through passthrough: the kernel
   * would write the source file with the server's credentials, which hold CAP_FSETID and so keep
   * the bits; through the server, WRITE says when to clear them.
   */
  private static boolean writesSetIdFile(Worker w, int fd, int flags) {
    if ((flags & Fcntl.O_ACCMODE) == Fcntl.O_RDONLY) {
      return false;
    }
    MemorySegment st = w.scratch.stat2;
    int r = Libc.fstatat(fd, w.scratch.empty, st, Fcntl.AT_EMPTY_PATH);
    return r < 0 || SetIdBits.clearedByWrite(Stat.mode(st)) != 0;
  }

  private int read(Worker w) {
    int fh = (int) w.request.i64(ReadIn.FH);
    long offset = w.request.i64(ReadIn.OFFSET);
    int size = Math.min(w.request.i32(ReadIn.SIZE_FIELD), w.reply.capacity());
    return (int) Libc.pread(fh, w.reply.payload(), size, offset);
  }

  private int write(Worker w) {
    int fh = (int) w.request.i64(WriteIn.FH);
    long offset = w.request.i64(WriteIn.OFFSET);
    int size = w.request.i32(WriteIn.SIZE_FIELD);
    if ((w.request.i32(WriteIn.WRITE_FLAGS) & Kernel.WRITE_KILL_SUIDGID) != 0) {
      // Before the data, as the kernel does: no moment where the new content is set-user-ID.
      Inode inode = inodes.get(w.request.nodeId());
      if (inode != null) {
        killSuidgid(w, inode);
      }
    }
    long n = Libc.pwrite(fh, w.request.at(WriteIn.SIZE, size), size, offset);
    if (n < 0) {
      return (int) n;
    }
    w.reply.i32(WriteOut.SIZE_FIELD, 0, (int) n);
    w.reply.i32(WriteOut.PADDING, 0, 0);
    return WriteOut.SIZE;
  }

  private int release(Worker w) {
    int fh = (int) w.request.i64(ReleaseIn.FH);
    Inode inode = inodes.get(w.request.nodeId());
    if (inode != null) {
      backings.detach(inode, w.deviceFd());
    }
    Libc.close(fh);
    return 0;
  }

  private int fsync(Worker w, int fsyncFlags) {
    int fh = (int) w.request.i64(FsyncIn.FH);
    return (fsyncFlags & Kernel.FSYNC_FDATASYNC) != 0 ? Libc.fdatasync(fh) : Libc.fsync(fh);
  }

  private int fallocate(Worker w) {
    int fh = (int) w.request.i64(FallocateIn.FH);
    return Libc.fallocate(
        fh,
        w.request.i32(FallocateIn.MODE),
        w.request.i64(FallocateIn.OFFSET),
        w.request.i64(FallocateIn.LENGTH));
  }

  private int lseek(Worker w) {
    int fh = (int) w.request.i64(LseekIn.FH);
    long r = Libc.lseek(fh, w.request.i64(LseekIn.OFFSET), w.request.i32(LseekIn.WHENCE));
    if (r < 0) {
      return (int) r;
    }
    w.reply.i64(LseekOut.OFFSET, 0, r);
    return LseekOut.SIZE;
  }

  private int copyFileRange(Worker w) {
    Request q = w.request;
    MemorySegment cells = w.scratch.cells;
    cells.set(JAVA_LONG_UNALIGNED, 0, q.i64(CopyFileRangeIn.OFF_IN));
    cells.set(JAVA_LONG_UNALIGNED, 8, q.i64(CopyFileRangeIn.OFF_OUT));
    long n =
        Libc.copyFileRange(
            (int) q.i64(CopyFileRangeIn.FH_IN),
            cells.asSlice(0, 8),
            (int) q.i64(CopyFileRangeIn.FH_OUT),
            cells.asSlice(8, 8),
            q.i64(CopyFileRangeIn.LEN),
            (int) q.i64(CopyFileRangeIn.FLAGS));
    if (n < 0) {
      return (int) n;
    }
    w.reply.i32(WriteOut.SIZE_FIELD, 0, (int) n);
    w.reply.i32(WriteOut.PADDING, 0, 0);
    return WriteOut.SIZE;
  }

  // ---- directories

  /**
   * Directories are opened per READDIR while the kernel may cache names ({@code timeout} above 0):
   * answering the first OPENDIR with ENOSYS makes the kernel stop sending OPENDIR and RELEASEDIR
   * (FUSE 7.29) and keep each directory's listing in its page cache across opens (FOPEN_KEEP_CACHE
   * and FOPEN_CACHE_DIR, its default then). A second walk of a tree then costs no request at all
   * for a directory; the first costs one open per READDIR instead of two round trips per directory.
   * Listings are as fresh as names and attributes: the kernel drops one when the directory changes
   * through the mount or a refreshed attribute shows another mtime.
   */
  private boolean directoriesPerRequest() {
    return validSeconds > 0 || validNanos > 0;
  }

  private int opendir(Worker w) {
    if (directoriesPerRequest()) {
      return -Errno.ENOSYS;
    }
    Inode inode = inodes.get(w.request.nodeId());
    if (inode == null) {
      return -Errno.ESTALE;
    }
    int fd = reopen(w, inode, Fcntl.O_RDONLY | Fcntl.O_DIRECTORY);
    if (fd < 0) {
      return fd;
    }
    directories.put((long) fd, new DirectoryHandle(fd));
    backings.track(inode);
    w.reply.i64(OpenOut.FH, 0, fd);
    w.reply.i32(OpenOut.OPEN_FLAGS, 0, 0);
    w.reply.i32(OpenOut.BACKING_ID, 0, 0);
    return OpenOut.SIZE;
  }

  private int releasedir(Worker w) {
    DirectoryHandle handle = directories.remove(w.request.i64(ReleaseIn.FH));
    Inode inode = inodes.get(w.request.nodeId());
    if (inode != null) {
      backings.untrack(inode);
    }
    if (handle != null) {
      synchronized (handle) {
        handle.close();
      }
    }
    return 0;
  }

  private int fsyncdir(Worker w) {
    if (directoriesPerRequest()) {
      Inode dir = inodes.get(w.request.nodeId());
      if (dir == null) {
        return -Errno.ESTALE;
      }
      int fd = reopen(w, dir, Fcntl.O_RDONLY | Fcntl.O_DIRECTORY);
      if (fd < 0) {
        return fd;
      }
      int r = Libc.fsync(fd);
      Libc.close(fd);
      return r;
    }
    DirectoryHandle handle = directories.get(w.request.i64(FsyncIn.FH));
    return handle == null ? -Errno.EBADF : Libc.fsync(handle.fd);
  }

  private int readdir(Worker w, boolean plus) {
    Inode dir = inodes.get(w.request.nodeId());
    if (dir == null) {
      return -Errno.EBADF;
    }
    if (directoriesPerRequest()) {
      int fd = reopen(w, dir, Fcntl.O_RDONLY | Fcntl.O_DIRECTORY);
      if (fd < 0) {
        return fd;
      }
      DirectoryHandle handle = DirectoryHandle.forOneRequest(fd, w.scratch.directory);
      try {
        return readdir(w, dir, handle, plus);
      } finally {
        handle.close();
      }
    }
    DirectoryHandle handle = directories.get(w.request.i64(ReadIn.FH));
    if (handle == null) {
      return -Errno.EBADF;
    }
    synchronized (handle) {
      return readdir(w, dir, handle, plus);
    }
  }

  private int readdir(Worker w, Inode dir, DirectoryHandle handle, boolean plus) {
    long offset = w.request.i64(ReadIn.OFFSET);
    int size = Math.min(w.request.i32(ReadIn.SIZE_FIELD), w.reply.capacity());
    int r = handle.seek(offset);
    if (r < 0) {
      return r;
    }
    return plus ? fillPlus(w, dir, handle, size) : fill(w, handle, size);
  }

  private static int fill(Worker w, DirectoryHandle handle, int size) {
    int used = 0;
    while (true) {
      int r = handle.fill();
      if (r < 0) {
        return used > 0 ? used : r;
      }
      if (r == 0) {
        return used;
      }
      int nameLength = handle.entryNameLength();
      int record = FuseLayouts.direntAlign(Dirent.NAME + nameLength);
      if (used + record > size) {
        return used;
      }
      dirent(w.reply, used, handle, nameLength);
      used += record;
      handle.advance();
    }
  }

  private int fillPlus(Worker w, Inode dir, DirectoryHandle handle, int size) {
    int used = 0;
    while (true) {
      int r = handle.fill();
      if (r < 0) {
        return used > 0 ? used : r;
      }
      if (r == 0) {
        return used;
      }
      int nameLength = handle.entryNameLength();
      int record = FuseLayouts.direntAlign(Direntplus.DIRENT + Dirent.NAME + nameLength);
      if (used + record > size) {
        return used;
      }
      if (handle.entryIsDotOrDotDot()
          || inodes.crowded()
          || entry(w, dir, handle.entryName(), used + Direntplus.ENTRY_OUT) != EntryOut.SIZE) {
        // No attributes for this one: the kernel lists the name and looks it up when needed.
        w.reply.clear(used + Direntplus.ENTRY_OUT, EntryOut.SIZE);
      }
      dirent(w.reply, used + Direntplus.DIRENT, handle, nameLength);
      used += record;
      handle.advance();
    }
  }

  private static void dirent(Reply out, int at, DirectoryHandle handle, int nameLength) {
    out.i64(Dirent.INO, at, handle.entryIno());
    out.i64(Dirent.OFF, at, handle.entryNextOffset());
    out.i32(Dirent.NAMELEN, at, nameLength);
    out.i32(Dirent.TYPE, at, handle.entryType());
    MemorySegment.copy(handle.entryName(), 0, out.payload(), at + Dirent.NAME, nameLength);
    int padded = FuseLayouts.direntAlign(Dirent.NAME + nameLength);
    for (int i = Dirent.NAME + nameLength; i < padded; i++) {
      out.payload().set(JAVA_BYTE, at + i, (byte) 0);
    }
  }

  // ---- extended attributes

  private int setxattr(Worker w) {
    Inode inode = inodes.get(w.request.nodeId());
    if (inode == null) {
      return -Errno.ESTALE;
    }
    int size = w.request.i32(SetxattrIn.SIZE_FIELD);
    int flags = w.request.i32(SetxattrIn.FLAGS);
    MemorySegment name = w.request.at(SetxattrIn.COMPAT_SIZE);
    MemorySegment value = w.request.at(w.request.afterName(SetxattrIn.COMPAT_SIZE), size);
    if (xattrAt) {
      MemorySegment args = w.scratch.cells;
      args.set(JAVA_LONG_UNALIGNED, 0, value.address());
      args.set(JAVA_INT_UNALIGNED, 8, size);
      args.set(JAVA_INT_UNALIGNED, 12, flags);
      long r = Libc.setxattrat(procFd, w.scratch.fdName(inode.fd), 0, name, args);
      if (r != -Errno.ENOSYS) {
        return (int) r;
      }
      xattrAt = false;
    }
    return Libc.setxattr(w.scratch.procPath(inode.fd), name, value, size, flags);
  }

  private int getxattr(Worker w, boolean list) {
    Inode inode = inodes.get(w.request.nodeId());
    if (inode == null) {
      return -Errno.ESTALE;
    }
    int size = w.request.i32(GetxattrIn.SIZE_FIELD);
    MemorySegment into =
        size == 0
            ? MemorySegment.NULL
            : w.reply.payload().asSlice(0, Math.min(size, w.reply.capacity()));
    long n;
    if (list) {
      n = listxattr(w, inode, into, size);
    } else {
      n = getxattrValue(w, inode, w.request.at(GetxattrIn.SIZE), into, size);
    }
    if (n < 0) {
      return (int) n;
    }
    if (size == 0) {
      w.reply.i32(GetxattrOut.SIZE_FIELD, 0, (int) n);
      w.reply.i32(GetxattrOut.PADDING, 0, 0);
      return GetxattrOut.SIZE;
    }
    return (int) n;
  }

  private long getxattrValue(
      Worker w, Inode inode, MemorySegment name, MemorySegment into, int size) {
    if (xattrAt) {
      MemorySegment args = w.scratch.cells;
      args.set(JAVA_LONG_UNALIGNED, 0, into.address());
      args.set(JAVA_INT_UNALIGNED, 8, size);
      args.set(JAVA_INT_UNALIGNED, 12, 0);
      long r = Libc.getxattrat(procFd, w.scratch.fdName(inode.fd), 0, name, args);
      if (r != -Errno.ENOSYS) {
        return r;
      }
      xattrAt = false;
    }
    return Libc.getxattr(w.scratch.procPath(inode.fd), name, into, size);
  }

  private long listxattr(Worker w, Inode inode, MemorySegment into, int size) {
    if (xattrAt) {
      long r = Libc.listxattrat(procFd, w.scratch.fdName(inode.fd), 0, into, size);
      if (r != -Errno.ENOSYS) {
        return r;
      }
      xattrAt = false;
    }
    return Libc.listxattr(w.scratch.procPath(inode.fd), into, size);
  }

  private int removexattr(Worker w) {
    Inode inode = inodes.get(w.request.nodeId());
    if (inode == null) {
      return -Errno.ESTALE;
    }
    MemorySegment name = w.request.at(0);
    if (xattrAt) {
      long r = Libc.removexattrat(procFd, w.scratch.fdName(inode.fd), 0, name);
      if (r != -Errno.ENOSYS) {
        return (int) r;
      }
      xattrAt = false;
    }
    return Libc.removexattr(w.scratch.procPath(inode.fd), name);
  }

  /** Closes every open directory; called once the connection is gone. */
  void closeAll() {
    for (DirectoryHandle handle : directories.values()) {
      handle.close();
    }
    directories.clear();
  }
}
