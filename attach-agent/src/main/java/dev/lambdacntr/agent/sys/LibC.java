package dev.lambdacntr.agent.sys;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * The C library calls the agent needs, through JNA. Every call acts on the calling thread only
 * where Linux makes it per-thread (namespaces, root and working directory after {@code
 * unshare(CLONE_FS)}). The errno of a failed call is {@link com.sun.jna.Native#getLastError()};
 * {@link Sys} wraps these with messages.
 *
 * <p>Each function is looked up when first called and invoked through {@link Function}: JNA's
 * direct mapping ({@code Native.register}) prepares every method of a class up front, which costs
 * about 0.8 ms per function at start-up, most of the agent's JNA time.
 *
 * <p>glibc 2.36 has no wrappers for the mount API and pidfds: those go through {@code syscall(2)}
 * (glibc's {@code syscall} only moves registers, so calling it like a fixed-argument function is
 * safe on x86_64).
 */
@SuppressWarnings("MethodName")
public final class LibC {
  private static final NativeLibrary C = NativeLibrary.getInstance("libc.so.6");

  private LibC() {}

  // x86_64 system call numbers
  public static final long SYS_PIVOT_ROOT = 155;
  public static final long SYS_PIDFD_SEND_SIGNAL = 424;
  public static final long SYS_OPEN_TREE = 428;
  public static final long SYS_MOVE_MOUNT = 429;
  public static final long SYS_FSOPEN = 430;
  public static final long SYS_FSCONFIG = 431;
  public static final long SYS_FSMOUNT = 432;
  public static final long SYS_PIDFD_OPEN = 434;
  public static final long SYS_MOUNT_SETATTR = 442;
  public static final long SYS_OPENAT2 = 437;
  public static final long SYS_STATX = 332;

  public static final long RESOLVE_NO_XDEV = 0x01;
  public static final long RESOLVE_NO_MAGICLINKS = 0x02;
  public static final long RESOLVE_NO_SYMLINKS = 0x04;
  public static final long RESOLVE_BENEATH = 0x08;
  public static final long RESOLVE_IN_ROOT = 0x10;

  public static final int STATX_TYPE = 1;
  public static final int S_IFMT = 0xf000;
  public static final int S_IFREG = 0x8000;
  public static final int S_IFDIR = 0x4000;

  public static final int O_RDONLY = 0;
  public static final int O_WRONLY = 1;
  public static final int O_RDWR = 2;
  public static final int O_DIRECTORY = 0x10000;
  public static final int O_NOFOLLOW = 0x20000;
  public static final int O_CLOEXEC = 0x80000;
  public static final int O_PATH = 0x200000;

  public static final int AT_FDCWD = -100;
  public static final int AT_EMPTY_PATH = 0x1000;
  public static final int AT_RECURSIVE = 0x8000;
  public static final int AT_SYMLINK_NOFOLLOW = 0x100;

  public static final int CLONE_NEWNS = 0x00020000;
  public static final int CLONE_FS = 0x00000200;
  public static final int CLONE_NEWCGROUP = 0x02000000;
  public static final int CLONE_NEWUTS = 0x04000000;
  public static final int CLONE_NEWIPC = 0x08000000;
  public static final int CLONE_NEWUSER = 0x10000000;
  public static final int CLONE_NEWPID = 0x20000000;
  public static final int CLONE_NEWNET = 0x40000000;
  public static final int CLONE_NEWTIME = 0x00000080;

  public static final long MS_NOSUID = 2;
  public static final long MS_NODEV = 4;
  public static final long MS_REC = 0x4000;
  public static final long MS_PRIVATE = 1 << 18;

  public static final int OPEN_TREE_CLONE = 1;
  public static final int MOVE_MOUNT_F_EMPTY_PATH = 0x4;

  public static final int FSOPEN_CLOEXEC = 1;
  public static final int FSCONFIG_SET_FLAG = 0;
  public static final int FSCONFIG_SET_STRING = 1;
  public static final int FSCONFIG_CMD_CREATE = 6;
  public static final int FSMOUNT_CLOEXEC = 1;

  public static final long MOUNT_ATTR_RDONLY = 0x1;
  public static final long MOUNT_ATTR_NOSUID = 0x2;
  public static final long MOUNT_ATTR_NODEV = 0x4;
  public static final long MOUNT_ATTR_NOEXEC = 0x8;

  public static final int MNT_DETACH = 2;

  private static int call(String name, Object... args) {
    return C.getFunction(name).invokeInt(args);
  }

  private static long syscallLong(Object... args) {
    return C.getFunction("syscall").invokeLong(args);
  }

  public static int open(String path, int flags, int mode) {
    return call("open", path, flags, mode);
  }

  public static int openat(int dirfd, String path, int flags, int mode) {
    return call("openat", dirfd, path, flags, mode);
  }

  public static int close(int fd) {
    return call("close", fd);
  }

  public static int dup(int fd) {
    return call("dup", fd);
  }

  public static int unshare(int flags) {
    return call("unshare", flags);
  }

  public static int setns(int fd, int nstype) {
    return call("setns", fd, nstype);
  }

  public static int mount(String source, String target, String fstype, long flags, String data) {
    return call("mount", source, target, fstype, flags, data);
  }

  public static int fchdir(int fd) {
    return call("fchdir", fd);
  }

  public static int isatty(int fd) {
    return call("isatty", fd);
  }

  public static int getpid() {
    return call("getpid");
  }

  public static int fexecve(int fd, Pointer argv, Pointer envp) {
    return call("fexecve", fd, argv, envp);
  }

  public static int posix_spawn(
      int[] pid, String path, Pointer fileActions, Pointer attributes, Pointer argv, Pointer envp) {
    return call("posix_spawn", pid, path, fileActions, attributes, argv, envp);
  }

  public static int posix_spawn_file_actions_init(Pointer fileActions) {
    return call("posix_spawn_file_actions_init", fileActions);
  }

  public static int posix_spawn_file_actions_addfchdir_np(Pointer fileActions, int fd) {
    return call("posix_spawn_file_actions_addfchdir_np", fileActions, fd);
  }

  public static int posix_spawn_file_actions_destroy(Pointer fileActions) {
    return call("posix_spawn_file_actions_destroy", fileActions);
  }

  public static int waitpid(int pid, int[] status, int options) {
    return call("waitpid", pid, status, options);
  }

  /** open_tree(dfd, path, flags). */
  public static long syscall(long number, int dfd, String path, int flags) {
    return syscallLong(number, dfd, path, flags);
  }

  /** move_mount(from_dfd, from_path, to_dfd, to_path, flags). */
  public static long syscall(
      long number, int fromDfd, String fromPath, int toDfd, String toPath, int flags) {
    return syscallLong(number, fromDfd, fromPath, toDfd, toPath, flags);
  }

  /** pivot_root(new_root, put_old). */
  public static long syscall(long number, String newRoot, String putOld) {
    return syscallLong(number, newRoot, putOld);
  }

  /** pidfd_open(pid, flags). */
  public static long syscall(long number, int a, int b) {
    return syscallLong(number, a, b);
  }

  /** fsopen(fsname, flags). */
  public static long syscall(long number, String fsName, int flags) {
    return syscallLong(number, fsName, flags);
  }

  /** pidfd_send_signal(pidfd, sig, info, flags). */
  public static long syscall(long number, int pidfd, int signal, Pointer info, int flags) {
    return syscallLong(number, pidfd, signal, info, flags);
  }

  /** fsconfig(fd, cmd, key, value, aux). */
  public static long syscall(long number, int fd, int cmd, String key, String value, int aux) {
    return syscallLong(number, fd, cmd, key, value, aux);
  }

  /** fsmount(fd, flags, attr_flags). */
  public static long syscall(long number, int fd, int flags, int attributes) {
    return syscallLong(number, fd, flags, attributes);
  }

  /** mount_setattr(dfd, path, flags, attr, size). */
  public static long syscall(
      long number, int dfd, String path, int flags, Pointer attributes, long size) {
    return syscallLong(number, dfd, path, flags, attributes, size);
  }

  /** openat2(dfd, path, how, size). */
  public static long syscall(long number, int dfd, String path, Pointer how, long size) {
    return syscallLong(number, dfd, path, how, size);
  }

  /** statx(dfd, path, flags, mask, buffer). */
  public static long syscall(long number, int dfd, String path, int flags, int mask, Pointer buf) {
    return syscallLong(number, dfd, path, flags, mask, buf);
  }
}
