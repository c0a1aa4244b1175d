package dev.lambdacntr.sys;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The Linux system calls of cntrfs and the attach agent (x86_64), through the JDK's foreign
 * function API. Every method returns the call's result, or the negated errno when it failed, the
 * way the kernel itself reports errors: callers test {@code r < 0} and hand {@code -r} on as an
 * errno ({@link Errno#name}) without an exception in between. Calls act on the calling thread where
 * Linux makes them per-thread (namespaces, root and working directory after {@code
 * unshare(CLONE_FS)}, fsuid, supplementary groups).
 *
 * <p>All go through glibc's {@code syscall(2)}, bound once: it only moves registers, so it reaches
 * the kernel exactly as glibc's own thin wrappers do, and one binding costs a JVM one function
 * descriptor instead of one per call (the JDK generates code for each; see {@link Downcall}). Paths
 * are NUL-terminated native strings ({@link #cstr}); every segment handed over must be native.
 */
public final class Libc {
  private Libc() {}

  /**
   * {@code long syscall(long number, ...)} bound as a fixed-argument function: glibc's x86_64
   * syscall only moves registers and reads no variadic state (%al), and binding it as variadic
   * costs the agent's start-up about 7 ms more.
   */
  private static final MethodHandle SYSCALL =
      Downcall.bindCapturingErrno(
          "syscall",
          FunctionDescriptor.of(
              JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG,
              JAVA_LONG));

  // x86_64 system call numbers
  static final long SYS_READ = 0;
  static final long SYS_WRITE = 1;
  static final long SYS_CLOSE = 3;
  static final long SYS_POLL = 7;
  static final long SYS_LSEEK = 8;
  static final long SYS_IOCTL = 16;
  static final long SYS_PREAD64 = 17;
  static final long SYS_PWRITE64 = 18;
  static final long SYS_DUP = 32;
  static final long SYS_GETPID = 39;
  static final long SYS_WAIT4 = 61;
  static final long SYS_KILL = 62;
  static final long SYS_FSYNC = 74;
  static final long SYS_FDATASYNC = 75;
  static final long SYS_FTRUNCATE = 77;
  static final long SYS_FCHDIR = 81;
  static final long SYS_FCHMOD = 91;
  static final long SYS_UMASK = 95;
  static final long SYS_GETUID = 102;
  static final long SYS_GETGID = 104;
  static final long SYS_GETGROUPS = 115;
  static final long SYS_SETGROUPS = 116;
  static final long SYS_SETFSUID = 122;
  static final long SYS_SETFSGID = 123;
  static final long SYS_FSTATFS = 138;
  static final long SYS_PIVOT_ROOT = 155;
  static final long SYS_MOUNT = 165;
  static final long SYS_UMOUNT2 = 166;
  static final long SYS_GETTID = 186;
  static final long SYS_SETXATTR = 188;
  static final long SYS_GETXATTR = 191;
  static final long SYS_LISTXATTR = 194;
  static final long SYS_REMOVEXATTR = 197;
  static final long SYS_GETDENTS64 = 217;
  static final long SYS_OPENAT = 257;
  static final long SYS_MKDIRAT = 258;
  static final long SYS_MKNODAT = 259;
  static final long SYS_FCHOWNAT = 260;
  static final long SYS_NEWFSTATAT = 262;
  static final long SYS_UNLINKAT = 263;
  static final long SYS_LINKAT = 265;
  static final long SYS_SYMLINKAT = 266;
  static final long SYS_READLINKAT = 267;
  static final long SYS_FCHMODAT = 268;
  static final long SYS_UNSHARE = 272;
  static final long SYS_UTIMENSAT = 280;
  static final long SYS_FALLOCATE = 285;
  static final long SYS_PIPE2 = 293;
  static final long SYS_SYNCFS = 306;
  static final long SYS_SETNS = 308;
  static final long SYS_RENAMEAT2 = 316;
  static final long SYS_EXECVEAT = 322;
  static final long SYS_COPY_FILE_RANGE = 326;
  static final long SYS_STATX = 332;
  static final long SYS_PIDFD_SEND_SIGNAL = 424;
  static final long SYS_OPEN_TREE = 428;
  static final long SYS_MOVE_MOUNT = 429;
  static final long SYS_FSOPEN = 430;
  static final long SYS_FSCONFIG = 431;
  static final long SYS_FSMOUNT = 432;
  static final long SYS_PIDFD_OPEN = 434;
  static final long SYS_OPENAT2 = 437;
  static final long SYS_MOUNT_SETATTR = 442;
  static final long SYS_FCHMODAT2 = 452;
  static final long SYS_SETXATTRAT = 463;
  static final long SYS_GETXATTRAT = 464;
  static final long SYS_LISTXATTRAT = 465;
  static final long SYS_REMOVEXATTRAT = 466;

  private static final MemorySegment EMPTY = Arena.global().allocateFrom("");
  private static final long TCGETS = 0x5401;
  private static final long KERNEL_TERMIOS_SIZE = 36;

  /** A NUL-terminated copy of {@code s} in {@code arena}. */
  public static MemorySegment cstr(Arena arena, String s) {
    return arena.allocateFrom(s);
  }

  /** A NUL-terminated copy of {@code s} in {@code arena}, or NULL for a null {@code s}. */
  public static MemorySegment cstrOrNull(Arena arena, String s) {
    return s == null ? MemorySegment.NULL : arena.allocateFrom(s);
  }

  private static long a(MemorySegment segment) {
    return segment.address();
  }

  public static int openat(int dirfd, MemorySegment path, int flags, int mode) {
    return (int) syscall(SYS_OPENAT, dirfd, a(path), flags, mode, 0, 0);
  }

  public static int close(int fd) {
    return (int) syscall(SYS_CLOSE, fd, 0, 0);
  }

  /** pipe2(2) into an 8-byte cell of two ints: the read end, then the write end. */
  public static int pipe2(MemorySegment fds, int flags) {
    return (int) syscall(SYS_PIPE2, a(fds), flags, 0);
  }

  /** A duplicate of {@code fd}, without close-on-exec. */
  public static int dup(int fd) {
    return (int) syscall(SYS_DUP, fd, 0, 0);
  }

  public static long read(int fd, MemorySegment buf, long count) {
    return syscall(SYS_READ, fd, a(buf), count);
  }

  public static long write(int fd, MemorySegment buf, long count) {
    return syscall(SYS_WRITE, fd, a(buf), count);
  }

  public static long pread(int fd, MemorySegment buf, long count, long offset) {
    return syscall(SYS_PREAD64, fd, a(buf), count, offset, 0, 0);
  }

  public static long pwrite(int fd, MemorySegment buf, long count, long offset) {
    return syscall(SYS_PWRITE64, fd, a(buf), count, offset, 0, 0);
  }

  /** {@code fstatat} into a {@link Stat#SIZE}-byte buffer. */
  public static int fstatat(int dirfd, MemorySegment path, MemorySegment stat, int flags) {
    return (int) syscall(SYS_NEWFSTATAT, dirfd, a(path), a(stat), flags, 0, 0);
  }

  public static int fstatfs(int fd, MemorySegment statfs) {
    return (int) syscall(SYS_FSTATFS, fd, a(statfs), 0);
  }

  public static int mkdirat(int dirfd, MemorySegment path, int mode) {
    return (int) syscall(SYS_MKDIRAT, dirfd, a(path), mode);
  }

  public static int mknodat(int dirfd, MemorySegment path, int mode, long dev) {
    return (int) syscall(SYS_MKNODAT, dirfd, a(path), mode, dev, 0, 0);
  }

  public static int symlinkat(MemorySegment target, int dirfd, MemorySegment path) {
    return (int) syscall(SYS_SYMLINKAT, a(target), dirfd, a(path));
  }

  public static int linkat(
      int olddirfd, MemorySegment oldpath, int newdirfd, MemorySegment newpath, int flags) {
    return (int) syscall(SYS_LINKAT, olddirfd, a(oldpath), newdirfd, a(newpath), flags, 0);
  }

  public static int unlinkat(int dirfd, MemorySegment path, int flags) {
    return (int) syscall(SYS_UNLINKAT, dirfd, a(path), flags);
  }

  public static int renameat2(
      int olddirfd, MemorySegment oldpath, int newdirfd, MemorySegment newpath, int flags) {
    return (int) syscall(SYS_RENAMEAT2, olddirfd, a(oldpath), newdirfd, a(newpath), flags, 0);
  }

  public static long readlinkat(int dirfd, MemorySegment path, MemorySegment buf, long size) {
    return syscall(SYS_READLINKAT, dirfd, a(path), a(buf), size, 0, 0);
  }

  public static int fchmod(int fd, int mode) {
    return (int) syscall(SYS_FCHMOD, fd, mode, 0);
  }

  /**
   * fchmodat; {@code flags} must be 0 (the system call has none; glibc emulates
   * AT_SYMLINK_NOFOLLOW, which cntrfs does not need), else EINVAL.
   */
  public static int fchmodat(int dirfd, MemorySegment path, int mode, int flags) {
    if (flags != 0) {
      return -Errno.EINVAL;
    }
    return (int) syscall(SYS_FCHMODAT, dirfd, a(path), mode);
  }

  /** fchmodat2 (Linux 6.6+), which accepts AT_EMPTY_PATH on an O_PATH descriptor. */
  public static int fchmodat2(int dirfd, MemorySegment path, int mode, int flags) {
    return (int) syscall(SYS_FCHMODAT2, dirfd, a(path), mode, flags, 0, 0);
  }

  public static int fchownat(int dirfd, MemorySegment path, int uid, int gid, int flags) {
    return (int) syscall(SYS_FCHOWNAT, dirfd, a(path), uid, gid, flags, 0);
  }

  public static int utimensat(int dirfd, MemorySegment path, MemorySegment times, int flags) {
    return (int) syscall(SYS_UTIMENSAT, dirfd, a(path), a(times), flags, 0, 0);
  }

  public static int ftruncate(int fd, long length) {
    return (int) syscall(SYS_FTRUNCATE, fd, length, 0);
  }

  public static int fallocate(int fd, int mode, long offset, long length) {
    return (int) syscall(SYS_FALLOCATE, fd, mode, offset, length, 0, 0);
  }

  public static int fsync(int fd) {
    return (int) syscall(SYS_FSYNC, fd, 0, 0);
  }

  public static int fdatasync(int fd) {
    return (int) syscall(SYS_FDATASYNC, fd, 0, 0);
  }

  public static int syncfs(int fd) {
    return (int) syscall(SYS_SYNCFS, fd, 0, 0);
  }

  public static long lseek(int fd, long offset, int whence) {
    return syscall(SYS_LSEEK, fd, offset, whence);
  }

  public static long getdents64(int fd, MemorySegment buf, long size) {
    return syscall(SYS_GETDENTS64, fd, a(buf), size);
  }

  /** copy_file_range with the offsets in two 8-byte cells. */
  public static long copyFileRange(
      int fdIn, MemorySegment offIn, int fdOut, MemorySegment offOut, long len, int flags) {
    return syscall(SYS_COPY_FILE_RANGE, fdIn, a(offIn), fdOut, a(offOut), len, flags);
  }

  public static int ioctl(int fd, long request, MemorySegment arg) {
    return (int) syscall(SYS_IOCTL, fd, request, a(arg));
  }

  /** Whether {@code fd} is a terminal (TCGETS works on it), as isatty(3) decides. */
  public static boolean isatty(int fd) {
    try (Arena arena = Arena.ofConfined()) {
      return ioctl(fd, TCGETS, arena.allocate(KERNEL_TERMIOS_SIZE)) == 0;
    }
  }

  public static int mount(
      MemorySegment source,
      MemorySegment target,
      MemorySegment type,
      long flags,
      MemorySegment data) {
    return (int) syscall(SYS_MOUNT, a(source), a(target), a(type), flags, a(data), 0);
  }

  public static int umount2(MemorySegment target, int flags) {
    return (int) syscall(SYS_UMOUNT2, a(target), flags, 0);
  }

  public static int unshare(int flags) {
    return (int) syscall(SYS_UNSHARE, flags, 0, 0);
  }

  /** Moves the calling thread into the namespace {@code fd} refers to. */
  public static int setns(int fd, int nstype) {
    return (int) syscall(SYS_SETNS, fd, nstype, 0);
  }

  public static int fchdir(int fd) {
    return (int) syscall(SYS_FCHDIR, fd, 0, 0);
  }

  /** Sets the umask of the calling thread's fs context; returns the previous one. */
  public static int umask(int mask) {
    return (int) syscall(SYS_UMASK, mask, 0, 0);
  }

  public static int getpid() {
    return (int) syscall(SYS_GETPID, 0, 0, 0);
  }

  public static int getuid() {
    return (int) syscall(SYS_GETUID, 0, 0, 0);
  }

  public static int getgid() {
    return (int) syscall(SYS_GETGID, 0, 0, 0);
  }

  public static int getgroups(int size, MemorySegment list) {
    return (int) syscall(SYS_GETGROUPS, size, a(list), 0);
  }

  /** poll(2) on an array of {@code count} struct pollfd. */
  public static int poll(MemorySegment fds, long count, int timeoutMillis) {
    return (int) syscall(SYS_POLL, a(fds), count, timeoutMillis);
  }

  public static int kill(int pid, int signal) {
    return (int) syscall(SYS_KILL, pid, signal, 0);
  }

  /**
   * Executes the open file {@code fd} (fexecve(3): execveat with AT_EMPTY_PATH); {@code argv} and
   * {@code envp} are NULL-terminated pointer arrays. Returns only by failing.
   */
  public static int fexecve(int fd, MemorySegment argv, MemorySegment envp) {
    return (int) syscall(SYS_EXECVEAT, fd, a(EMPTY), a(argv), a(envp), Fcntl.AT_EMPTY_PATH, 0);
  }

  /** waitpid(2) into a 4-byte status cell. */
  public static int waitpid(int pid, MemorySegment status, int options) {
    return (int) syscall(SYS_WAIT4, pid, a(status), options, 0, 0, 0);
  }

  /** openat2 with a 24-byte struct open_how. */
  public static int openat2(int dirfd, MemorySegment path, MemorySegment how) {
    return (int) syscall(SYS_OPENAT2, dirfd, a(path), a(how), how.byteSize(), 0, 0);
  }

  /** statx into a 256-byte struct statx. */
  public static int statx(int dirfd, MemorySegment path, int flags, int mask, MemorySegment buf) {
    return (int) syscall(SYS_STATX, dirfd, a(path), flags, mask, a(buf), 0);
  }

  public static int pidfdOpen(int pid, int flags) {
    return (int) syscall(SYS_PIDFD_OPEN, pid, flags, 0);
  }

  public static int pidfdSendSignal(int pidfd, int signal) {
    return (int) syscall(SYS_PIDFD_SEND_SIGNAL, pidfd, signal, 0, 0, 0, 0);
  }

  /** setfsuid for the calling thread only; returns the previous fsuid. */
  public static int setfsuid(int uid) {
    return (int) syscall(SYS_SETFSUID, uid, 0, 0);
  }

  /** setfsgid for the calling thread only; returns the previous fsgid. */
  public static int setfsgid(int gid) {
    return (int) syscall(SYS_SETFSGID, gid, 0, 0);
  }

  /** setgroups for the calling thread only (the raw call, not glibc's process-wide one). */
  public static int setgroupsThread(int count, MemorySegment list) {
    return (int) syscall(SYS_SETGROUPS, count, a(list), 0);
  }

  public static int gettid() {
    return (int) syscall(SYS_GETTID, 0, 0, 0);
  }

  public static long getxattr(MemorySegment path, MemorySegment name, MemorySegment value, long n) {
    return syscall(SYS_GETXATTR, a(path), a(name), a(value), n, 0, 0);
  }

  public static int setxattr(
      MemorySegment path, MemorySegment name, MemorySegment value, long n, int flags) {
    return (int) syscall(SYS_SETXATTR, a(path), a(name), a(value), n, flags, 0);
  }

  public static long listxattr(MemorySegment path, MemorySegment list, long n) {
    return syscall(SYS_LISTXATTR, a(path), a(list), n);
  }

  public static int removexattr(MemorySegment path, MemorySegment name) {
    return (int) syscall(SYS_REMOVEXATTR, a(path), a(name), 0);
  }

  /** getxattrat (Linux 6.13+); {@code args} is a 16-byte struct xattr_args. */
  public static long getxattrat(
      int dirfd, MemorySegment path, int atFlags, MemorySegment name, MemorySegment args) {
    return syscall(SYS_GETXATTRAT, dirfd, a(path), atFlags, a(name), a(args), 16);
  }

  /** setxattrat (Linux 6.13+); {@code args} is a 16-byte struct xattr_args. */
  public static long setxattrat(
      int dirfd, MemorySegment path, int atFlags, MemorySegment name, MemorySegment args) {
    return syscall(SYS_SETXATTRAT, dirfd, a(path), atFlags, a(name), a(args), 16);
  }

  /** listxattrat (Linux 6.13+). */
  public static long listxattrat(
      int dirfd, MemorySegment path, int atFlags, MemorySegment list, long size) {
    return syscall(SYS_LISTXATTRAT, dirfd, a(path), atFlags, a(list), size, 0);
  }

  /** removexattrat (Linux 6.13+). */
  public static long removexattrat(int dirfd, MemorySegment path, int atFlags, MemorySegment name) {
    return syscall(SYS_REMOVEXATTRAT, dirfd, a(path), atFlags, a(name), 0, 0);
  }

  /** A raw system call with up to three arguments; negated errno on failure. */
  public static long syscall(long number, long a, long b, long c) {
    return syscall(number, a, b, c, 0, 0, 0);
  }

  /** A raw system call with up to six arguments; negated errno on failure. */
  public static long syscall(long number, long a, long b, long c, long d, long e, long f) {
    MemorySegment state = Downcall.state();
    long r;
    try {
      r = (long) SYSCALL.invokeExact(state, number, a, b, c, d, e, f);
    } catch (Throwable t) {
      throw Downcall.unchecked(t);
    }
    return r < 0 ? -Downcall.errno(state) : r;
  }
}
