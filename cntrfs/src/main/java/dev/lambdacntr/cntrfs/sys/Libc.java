package dev.lambdacntr.cntrfs.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The system calls cntrfs needs, bound with the JDK's foreign function API. Every method returns
 * the call's result, or the negated errno when it failed, the way the kernel itself reports errors:
 * callers test {@code r < 0} and hand {@code -r} on as an errno without an exception in between.
 *
 * <p>Paths are NUL-terminated native strings; {@link #cstr} makes one from a Java string.
 */
public final class Libc {
  private Libc() {}

  private static final Linker LINKER = Linker.nativeLinker();
  private static final SymbolLookup LIBC = LINKER.defaultLookup();
  private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO =
      CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
  private static final ThreadLocal<MemorySegment> CAPTURED =
      ThreadLocal.withInitial(() -> Arena.global().allocate(CAPTURE));

  // x86_64 system call numbers for calls glibc 2.36 has no wrapper for, or whose wrapper must
  // not broadcast to every thread (glibc applies setgroups to the whole process).
  private static final long SYS_SETGROUPS = 116;
  private static final long SYS_SETFSUID = 122;
  private static final long SYS_SETFSGID = 123;
  private static final long SYS_GETTID = 186;
  private static final long SYS_FCHMODAT2 = 452;
  private static final long SYS_SETXATTRAT = 463;
  private static final long SYS_GETXATTRAT = 464;
  private static final long SYS_LISTXATTRAT = 465;
  private static final long SYS_REMOVEXATTRAT = 466;

  private static final MethodHandle OPENAT =
      bind("openat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), 3);
  private static final MethodHandle CLOSE =
      bind("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
  private static final MethodHandle READ =
      bind("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
  private static final MethodHandle WRITE =
      bind("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
  private static final MethodHandle PREAD =
      bind("pread64", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
  private static final MethodHandle PWRITE =
      bind("pwrite64", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
  private static final MethodHandle FSTATAT =
      bind("fstatat64", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
  private static final MethodHandle FSTATFS =
      bind("fstatfs64", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
  private static final MethodHandle MKDIRAT =
      bind("mkdirat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
  private static final MethodHandle MKNODAT =
      bind("mknodat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG));
  private static final MethodHandle SYMLINKAT =
      bind("symlinkat", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
  private static final MethodHandle LINKAT =
      bind(
          "linkat",
          FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT));
  private static final MethodHandle UNLINKAT =
      bind("unlinkat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
  private static final MethodHandle RENAMEAT2 =
      bind(
          "renameat2",
          FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT));
  private static final MethodHandle READLINKAT =
      bind("readlinkat", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
  private static final MethodHandle FCHMOD =
      bind("fchmod", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
  private static final MethodHandle FCHMODAT =
      bind("fchmodat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
  private static final MethodHandle FCHOWNAT =
      bind(
          "fchownat",
          FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT));
  private static final MethodHandle UTIMENSAT =
      bind("utimensat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
  private static final MethodHandle FTRUNCATE =
      bind("ftruncate64", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));
  private static final MethodHandle FALLOCATE =
      bind(
          "fallocate64", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG));
  private static final MethodHandle FSYNC =
      bind("fsync", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
  private static final MethodHandle FDATASYNC =
      bind("fdatasync", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
  private static final MethodHandle SYNCFS =
      bind("syncfs", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
  private static final MethodHandle LSEEK =
      bind("lseek64", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT));
  private static final MethodHandle GETDENTS64 =
      bind("getdents64", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
  private static final MethodHandle COPY_FILE_RANGE =
      bind(
          "copy_file_range",
          FunctionDescriptor.of(
              JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
  private static final MethodHandle IOCTL =
      bind("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), 2);
  private static final MethodHandle MOUNT =
      bind("mount", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
  private static final MethodHandle UMOUNT2 =
      bind("umount2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
  private static final MethodHandle UNSHARE =
      bind("unshare", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
  private static final MethodHandle UMASK =
      bind("umask", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
  private static final MethodHandle GETUID = bind("getuid", FunctionDescriptor.of(JAVA_INT));
  private static final MethodHandle GETGID = bind("getgid", FunctionDescriptor.of(JAVA_INT));
  private static final MethodHandle GETGROUPS =
      bind("getgroups", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
  private static final MethodHandle GETXATTR =
      bind("getxattr", FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));
  private static final MethodHandle SETXATTR =
      bind(
          "setxattr",
          FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT));
  private static final MethodHandle LISTXATTR =
      bind("listxattr", FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG));
  private static final MethodHandle REMOVEXATTR =
      bind("removexattr", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
  private static final MethodHandle SYSCALL3 =
      bind(
          "syscall",
          FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
          1);
  private static final MethodHandle SYSCALL6 =
      bind(
          "syscall",
          FunctionDescriptor.of(
              JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG,
              JAVA_LONG),
          1);
  private static final MethodHandle POLL =
      bind("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
  private static final MethodHandle KILL =
      bind("kill", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));

  private static MethodHandle bind(String name, FunctionDescriptor descriptor) {
    return bind(name, descriptor, -1);
  }

  private static MethodHandle bind(String name, FunctionDescriptor descriptor, int firstVariadic) {
    MemorySegment symbol =
        LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
    Linker.Option capture = Linker.Option.captureCallState("errno");
    Linker.Option[] options =
        firstVariadic < 0
            ? new Linker.Option[] {capture}
            : new Linker.Option[] {capture, Linker.Option.firstVariadicArg(firstVariadic)};
    return LINKER.downcallHandle(symbol, descriptor, options);
  }

  private static MemorySegment state() {
    return CAPTURED.get();
  }

  private static int errno(MemorySegment state) {
    return (int) ERRNO.get(state, 0L);
  }

  private static int check(int r, MemorySegment state) {
    return r < 0 ? -errno(state) : r;
  }

  private static long check(long r, MemorySegment state) {
    return r < 0 ? -errno(state) : r;
  }

  /** A NUL-terminated copy of {@code s} in {@code arena}. */
  public static MemorySegment cstr(Arena arena, String s) {
    return arena.allocateFrom(s);
  }

  public static int openat(int dirfd, MemorySegment path, int flags, int mode) {
    MemorySegment st = state();
    try {
      return check((int) OPENAT.invokeExact(st, dirfd, path, flags, mode), st);
    } catch (Throwable t) {
      throw Unchecked.wrap(t);
    }
  }

  public static int close(int fd) {
    MemorySegment st = state();
    try {
      return check((int) CLOSE.invokeExact(st, fd), st);
    } catch (Throwable t) {
      throw Unchecked.wrap(t);
    }
  }

  public static long read(int fd, MemorySegment buf, long count) {
    MemorySegment st = state();
    try {
      return check((long) READ.invokeExact(st, fd, buf, count), st);
    } catch (Throwable t) {
      throw Unchecked.wrap(t);
    }
  }

  public static long write(int fd, MemorySegment buf, long count) {
    MemorySegment st = state();
    try {
      return check((long) WRITE.invokeExact(st, fd, buf, count), st);
    } catch (Throwable t) {
      throw Unchecked.wrap(t);
    }
  }

  public static long pread(int fd, MemorySegment buf, long count, long offset) {
    MemorySegment st = state();
    try {
      return check((long) PREAD.invokeExact(st, fd, buf, count, offset), st);
    } catch (Throwable t) {
      throw Unchecked.wrap(t);
    }
  }

  public static long pwrite(int fd, MemorySegment buf, long count, long offset) {
    MemorySegment st = state();
    try {
      return check((long) PWRITE.invokeExact(st, fd, buf, count, offset), st);
    } catch (Throwable t) {
      throw Unchecked.wrap(t);
    }
  }

  /** {@code fstatat} into a {@link Stat#SIZE}-byte buffer. */
  public static int fstatat(int dirfd, MemorySegment path, MemorySegment stat, int flags) {
    MemorySegment st = state();
    try {
      return check((int) FSTATAT.invokeExact(st, dirfd, path, stat, flags), st);
    } catch (Throwable t) {
      throw Unchecked.wrap(t);
    }
  }

  public static int fstatfs(int fd, MemorySegment statfs) {
    MemorySegment st = state();
    try {
      return check((int) FSTATFS.invokeExact(st, fd, statfs), st);
    } catch (Throwable t) {
      throw Unchecked.wrap(t);
    }
  }

  public static int mkdirat(int dirfd, MemorySegment path, int mode) {
    MemorySegment st = state();
    try {
      return check((int) MKDIRAT.invokeExact(st, dirfd, path, mode), st);
    } catch (Throwable t) {
      throw Unchecked.wrap(t);
    }
  }

  public static int mknodat(int dirfd, MemorySegment path, int mode, long dev) {
    MemorySegment st = state();
    try {
      return check((int) MKNODAT.invokeExact(st, dirfd, path, mode, dev), st);
    } catch (Throwable t) {
      throw Unchecked.wrap(t);
    }
  }

  public static int symlinkat(MemorySegment target, int dirfd, MemorySegment path) {
    MemorySegment st = state();
    try {
      return check((int) SYMLINKAT.invokeExact(st, target, dirfd, path), st);
    } catch (Throwable t) {
      throw Unchecked.wrap(t);
    }
  }

  public static int linkat(
      int olddirfd, MemorySegment oldpath, int newdirfd, MemorySegment newpath, int flags) {
    MemorySegment st = state();
    try {
      return check((int) LINKAT.invokeExact(st, olddirfd, oldpath, newdirfd, newpath, flags), st);
    } catch (Throwable t) {
      throw Unchecked.wrap(t);
    }
  }

  public static int unlinkat(int dirfd, MemorySegment path, int flags) {
    MemorySegment st = state();
    try {
      return check((int) UNLINKAT.invokeExact(st, dirfd, path, flags), st);
    } catch (Throwable t) {
      throw Unchecked.wrap(t);
    }
  }

  public static int renameat2(
      int olddirfd, MemorySegment oldpath, int newdirfd, MemorySegment newpath, int flags) {
    MemorySegment st = state();
    try {
      return check(
          (int) RENAMEAT2.invokeExact(st, olddirfd, oldpath, newdirfd, newpath, flags), st);
    } catch (Throwable t) {
      throw Unchecked.wrap(t);
    }
  }

  public static long readlinkat(int dirfd, MemorySegment path, MemorySegment buf, long size) {
    MemorySegment st = state();
    try {
      return check((long) READLINKAT.invokeExact(st, dirfd, path, buf, size), st);
    } catch (Throwable t) {
      throw Unchecked.wrap(t);
    }
  }

  public static int fchmod(int fd, int mode) {
    MemorySegment st = state();
    try {
      return check((int) FCHMOD.invokeExact(st, fd, mode), st);
    } catch (Throwable t) {
      throw Unchecked.wrap(t);
    }
  }

  public static int fchmodat(int dirfd, MemorySegment path, int mode, int flags) {
    MemorySegment st = state();
    try {
      return check((int) FCHMODAT.invokeExact(st, dirfd, path, mode, flags), st);
    } catch (Throwable t) {
      throw Unchecked.wrap(t);
    }
  }

  /** fchmodat2 (Linux 6.6+), which accepts AT_EMPTY_PATH on an O_PATH descriptor. */
  public static int fchmodat2(int dirfd, MemorySegment path, int mode, int flags) {
    return (int) syscall(SYS_FCHMODAT2, dirfd, path.address(), mode, flags, 0, 0);
  }

  public static int fchownat(int dirfd, MemorySegment path, int uid, int gid, int flags) {
    MemorySegment st = state();
    try {
      return check((int) FCHOWNAT.invokeExact(st, dirfd, path, uid, gid, flags), st);
    } catch (Throwable t) {
      throw Unchecked.wrap(t);
    }
  }

  public static int utimensat(int dirfd, MemorySegment path, MemorySegment times, int flags) {
    MemorySegment st = state();
    try {
      return check((int) UTIMENSAT.invokeExact(st, dirfd, path, times, flags), st);
    } catch (Throwable t) {
      throw Unchecked.wrap(t);
    }
  }

  public static int ftruncate(int fd, long length) {
    MemorySegment st = state();
    try {
      return check((int) FTRUNCATE.invokeExact(st, fd, length), st);
    } catch (Throwable t) {
      throw Unchecked.wrap(t);
    }
  }

  public static int fallocate(int fd, int mode, long offset, long length) {
    MemorySegment st = state();
    try {
      return check((int) FALLOCATE.invokeExact(st, fd, mode, offset, length), st);
    } catch (Throwable t) {
      throw Unchecked.wrap(t);
    }
  }

  public static int fsync(int fd) {
    MemorySegment st = state();
    try {
      return check((int) FSYNC.invokeExact(st, fd), st);
    } catch (Throwable t) {
      throw Unchecked.wrap(t);
    }
  }

  public static int fdatasync(int fd) {
    MemorySegment st = state();
    try {
      return check((int) FDATASYNC.invokeExact(st, fd), st);
    } catch (Throwable t) {
      throw Unchecked.wrap(t);
    }
  }

  public static int syncfs(int fd) {
    MemorySegment st = state();
    try {
      return check((int) SYNCFS.invokeExact(st, fd), st);
    } catch (Throwable t) {
      throw Unchecked.wrap(t);
    }
  }

  public static long lseek(int fd, long offset, int whence) {
    MemorySegment st = state();
    try {
      return check((long) LSEEK.invokeExact(st, fd, offset, whence), st);
    } catch (Throwable t) {
      throw Unchecked.wrap(t);
    }
  }

  public static long getdents64(int fd, MemorySegment buf, long size) {
    MemorySegment st = state();
    try {
      return check((long) GETDENTS64.invokeExact(st, fd, buf, size), st);
    } catch (Throwable t) {
      throw Unchecked.wrap(t);
    }
  }

  /** copy_file_range with the offsets in two 8-byte cells. */
  public static long copyFileRange(
      int fdIn, MemorySegment offIn, int fdOut, MemorySegment offOut, long len, int flags) {
    MemorySegment st = state();
    try {
      return check(
          (long) COPY_FILE_RANGE.invokeExact(st, fdIn, offIn, fdOut, offOut, len, flags), st);
    } catch (Throwable t) {
      throw Unchecked.wrap(t);
    }
  }

  public static int ioctl(int fd, long request, MemorySegment arg) {
    MemorySegment st = state();
    try {
      return check((int) IOCTL.invokeExact(st, fd, request, arg), st);
    } catch (Throwable t) {
      throw Unchecked.wrap(t);
    }
  }

  public static int mount(
      MemorySegment source,
      MemorySegment target,
      MemorySegment type,
      long flags,
      MemorySegment data) {
    MemorySegment st = state();
    try {
      return check((int) MOUNT.invokeExact(st, source, target, type, flags, data), st);
    } catch (Throwable t) {
      throw Unchecked.wrap(t);
    }
  }

  public static int umount2(MemorySegment target, int flags) {
    MemorySegment st = state();
    try {
      return check((int) UMOUNT2.invokeExact(st, target, flags), st);
    } catch (Throwable t) {
      throw Unchecked.wrap(t);
    }
  }

  public static int unshare(int flags) {
    MemorySegment st = state();
    try {
      return check((int) UNSHARE.invokeExact(st, flags), st);
    } catch (Throwable t) {
      throw Unchecked.wrap(t);
    }
  }

  /** Sets the umask of the calling thread's fs context; returns the previous one. */
  public static int umask(int mask) {
    try {
      return (int) UMASK.invokeExact(state(), mask);
    } catch (Throwable t) {
      throw Unchecked.wrap(t);
    }
  }

  public static int getuid() {
    try {
      return (int) GETUID.invokeExact(state());
    } catch (Throwable t) {
      throw Unchecked.wrap(t);
    }
  }

  public static int getgid() {
    try {
      return (int) GETGID.invokeExact(state());
    } catch (Throwable t) {
      throw Unchecked.wrap(t);
    }
  }

  public static int getgroups(int size, MemorySegment list) {
    MemorySegment st = state();
    try {
      return check((int) GETGROUPS.invokeExact(st, size, list), st);
    } catch (Throwable t) {
      throw Unchecked.wrap(t);
    }
  }

  /** poll(2) on an array of {@code count} struct pollfd. */
  public static int poll(MemorySegment fds, long count, int timeoutMillis) {
    MemorySegment st = state();
    try {
      return check((int) POLL.invokeExact(st, fds, count, timeoutMillis), st);
    } catch (Throwable t) {
      throw Unchecked.wrap(t);
    }
  }

  public static int kill(int pid, int signal) {
    MemorySegment st = state();
    try {
      return check((int) KILL.invokeExact(st, pid, signal), st);
    } catch (Throwable t) {
      throw Unchecked.wrap(t);
    }
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
    return (int) syscall(SYS_SETGROUPS, count, list.address(), 0);
  }

  public static int gettid() {
    return (int) syscall(SYS_GETTID, 0, 0, 0);
  }

  public static long getxattr(MemorySegment path, MemorySegment name, MemorySegment value, long n) {
    MemorySegment st = state();
    try {
      return check((long) GETXATTR.invokeExact(st, path, name, value, n), st);
    } catch (Throwable t) {
      throw Unchecked.wrap(t);
    }
  }

  public static int setxattr(
      MemorySegment path, MemorySegment name, MemorySegment value, long n, int flags) {
    MemorySegment st = state();
    try {
      return check((int) SETXATTR.invokeExact(st, path, name, value, n, flags), st);
    } catch (Throwable t) {
      throw Unchecked.wrap(t);
    }
  }

  public static long listxattr(MemorySegment path, MemorySegment list, long n) {
    MemorySegment st = state();
    try {
      return check((long) LISTXATTR.invokeExact(st, path, list, n), st);
    } catch (Throwable t) {
      throw Unchecked.wrap(t);
    }
  }

  public static int removexattr(MemorySegment path, MemorySegment name) {
    MemorySegment st = state();
    try {
      return check((int) REMOVEXATTR.invokeExact(st, path, name), st);
    } catch (Throwable t) {
      throw Unchecked.wrap(t);
    }
  }

  /** getxattrat (Linux 6.13+); {@code args} is a 16-byte struct xattr_args. */
  public static long getxattrat(
      int dirfd, MemorySegment path, int atFlags, MemorySegment name, MemorySegment args) {
    return syscall(
        SYS_GETXATTRAT, dirfd, path.address(), atFlags, name.address(), args.address(), 16);
  }

  /** setxattrat (Linux 6.13+); {@code args} is a 16-byte struct xattr_args. */
  public static long setxattrat(
      int dirfd, MemorySegment path, int atFlags, MemorySegment name, MemorySegment args) {
    return syscall(
        SYS_SETXATTRAT, dirfd, path.address(), atFlags, name.address(), args.address(), 16);
  }

  /** listxattrat (Linux 6.13+). */
  public static long listxattrat(
      int dirfd, MemorySegment path, int atFlags, MemorySegment list, long size) {
    return syscall(SYS_LISTXATTRAT, dirfd, path.address(), atFlags, list.address(), size, 0);
  }

  /** removexattrat (Linux 6.13+). */
  public static long removexattrat(int dirfd, MemorySegment path, int atFlags, MemorySegment name) {
    return syscall(SYS_REMOVEXATTRAT, dirfd, path.address(), atFlags, name.address(), 0, 0);
  }

  /** A raw system call with up to three arguments; negated errno on failure. */
  public static long syscall(long number, long a, long b, long c) {
    MemorySegment st = state();
    try {
      return check((long) SYSCALL3.invokeExact(st, number, a, b, c), st);
    } catch (Throwable t) {
      throw Unchecked.wrap(t);
    }
  }

  /** A raw system call with up to six arguments; negated errno on failure. */
  public static long syscall(long number, long a, long b, long c, long d, long e, long f) {
    MemorySegment st = state();
    try {
      return check((long) SYSCALL6.invokeExact(st, number, a, b, c, d, e, f), st);
    } catch (Throwable t) {
      throw Unchecked.wrap(t);
    }
  }
}
