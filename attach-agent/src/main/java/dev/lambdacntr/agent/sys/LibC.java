package dev.lambdacntr.agent.sys;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * The C library calls the agent needs, bound with JNA's direct mapping (the fastest JNA binding to
 * set up and to call). Every call acts on the calling thread only where Linux makes it per-thread
 * (namespaces, root and working directory after {@code unshare(CLONE_FS)}). The errno of a failed
 * call is {@link Native#getLastError()}; {@link Sys} wraps these with messages.
 *
 * <p>glibc 2.36 has no wrappers for the mount API and pidfds: those go through {@code syscall(2)},
 * declared here once per argument shape (glibc's {@code syscall} only moves registers, so the
 * non-variadic declarations are safe on x86_64).
 */
@SuppressWarnings("MethodName")
public final class LibC {
  static {
    Native.register(LibC.class, NativeLibrary.getInstance("libc.so.6"));
  }

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

  public static final int MNT_DETACH = 2;

  public static native int open(String path, int flags, int mode);

  public static native int openat(int dirfd, String path, int flags, int mode);

  public static native int close(int fd);

  public static native int dup(int fd);

  public static native int mkdirat(int dirfd, String path, int mode);

  public static native long read(int fd, byte[] buffer, long count);

  public static native long write(int fd, byte[] buffer, long count);

  public static native int unshare(int flags);

  public static native int setns(int fd, int nstype);

  public static native int mount(
      String source, String target, String fstype, long flags, String data);

  public static native int umount2(String target, int flags);

  public static native int fchdir(int fd);

  public static native int isatty(int fd);

  public static native int getpid();

  public static native int gettid();

  public static native int fexecve(int fd, Pointer argv, Pointer envp);

  public static native int posix_spawn(
      int[] pid, String path, Pointer fileActions, Pointer attributes, Pointer argv, Pointer envp);

  public static native int posix_spawn_file_actions_init(Pointer fileActions);

  public static native int posix_spawn_file_actions_addfchdir_np(Pointer fileActions, int fd);

  public static native int posix_spawn_file_actions_destroy(Pointer fileActions);

  public static native int waitpid(int pid, int[] status, int options);

  /** open_tree(dfd, path, flags). */
  public static native long syscall(long number, int dfd, String path, int flags);

  /** move_mount(from_dfd, from_path, to_dfd, to_path, flags). */
  public static native long syscall(
      long number, int fromDfd, String fromPath, int toDfd, String toPath, int flags);

  /** pivot_root(new_root, put_old). */
  public static native long syscall(long number, String newRoot, String putOld);

  /** pidfd_open(pid, flags), fsopen is the (String, int) shape. */
  public static native long syscall(long number, int a, int b);

  /** fsopen(fsname, flags). */
  public static native long syscall(long number, String fsName, int flags);

  /** pidfd_send_signal(pidfd, sig, info, flags). */
  public static native long syscall(long number, int pidfd, int signal, Pointer info, int flags);

  /** fsconfig(fd, cmd, key, value, aux). */
  public static native long syscall(
      long number, int fd, int cmd, String key, String value, int aux);

  /** fsmount(fd, flags, attr_flags). */
  public static native long syscall(long number, int fd, int flags, int attributes);

  /** mount_setattr(dfd, path, flags, attr, size). */
  public static native long syscall(
      long number, int dfd, String path, int flags, Pointer attributes, long size);
}
