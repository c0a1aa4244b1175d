package dev.lambdacntr.agent.sys;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;

/**
 * The system calls of {@link LibC}, failing with a {@link CntrException} whose message names the
 * operation, its object and the errno: {@code cannot enter the mount namespace of pid 42: EPERM}.
 * Each takes the exit code a failure should end the agent with and the words for the message.
 */
public final class Sys {
  private Sys() {}

  /** Fails with "cannot WHAT: ERRNO" when {@code result} is negative; returns it otherwise. */
  public static long check(long result, ExitCode code, String what) {
    if (result < 0) {
      throw failure(code, what, Native.getLastError());
    }
    return result;
  }

  /** The exception for a failed call with the given errno. */
  public static CntrException failure(ExitCode code, String what, int errno) {
    return new CntrException(code, "cannot " + what + ": " + Errno.name(errno));
  }

  public static Fd open(String path, int flags, ExitCode code, String what) {
    return new Fd((int) check(LibC.open(path, flags, 0), code, what));
  }

  public static Fd openat(Fd dir, String path, int flags, ExitCode code, String what) {
    return new Fd((int) check(LibC.openat(dir.value(), path, flags, 0), code, what));
  }

  /** A duplicate of {@code fd} without close-on-exec, for handing to the session helper. */
  public static Fd inheritable(Fd fd, ExitCode code, String what) {
    return new Fd((int) check(LibC.dup(fd.value()), code, what));
  }

  public static void unshare(int flags, ExitCode code, String what) {
    check(LibC.unshare(flags), code, what);
  }

  public static void setns(Fd ns, int type, ExitCode code, String what) {
    check(LibC.setns(ns.value(), type), code, what);
  }

  public static void mount(
      String source,
      String target,
      String type,
      long flags,
      String data,
      ExitCode code,
      String what) {
    check(LibC.mount(source, target, type, flags, data), code, what);
  }

  /** A detached copy of the mount at {@code path} (and, if {@code recursive}, the ones below). */
  public static Fd openTree(int dirfd, String path, boolean recursive, ExitCode code, String what) {
    int flags = LibC.OPEN_TREE_CLONE | LibC.O_CLOEXEC | (recursive ? LibC.AT_RECURSIVE : 0);
    if (path.isEmpty()) {
      flags |= LibC.AT_EMPTY_PATH;
    }
    return new Fd((int) check(LibC.syscall(LibC.SYS_OPEN_TREE, dirfd, path, flags), code, what));
  }

  /** Like {@link #openTree}, but empty when {@code path} does not exist. */
  public static java.util.Optional<Fd> openTreeIfPresent(
      String path, boolean recursive, ExitCode code, String what) {
    int flags = LibC.OPEN_TREE_CLONE | LibC.O_CLOEXEC | (recursive ? LibC.AT_RECURSIVE : 0);
    return unlessMissing(LibC.syscall(LibC.SYS_OPEN_TREE, LibC.AT_FDCWD, path, flags), code, what);
  }

  /** The descriptor a call returned; empty when it failed with ENOENT, thrown otherwise. */
  private static java.util.Optional<Fd> unlessMissing(long fd, ExitCode code, String what) {
    if (fd < 0) {
      int errno = Native.getLastError();
      if (errno == Errno.ENOENT) {
        return java.util.Optional.empty();
      }
      throw failure(code, what, errno);
    }
    return java.util.Optional.of(new Fd((int) fd));
  }

  /** Attaches the detached mount {@code mount} at {@code target} in the thread's namespace. */
  public static void moveMount(Fd mount, String target, ExitCode code, String what) {
    check(
        LibC.syscall(
            LibC.SYS_MOVE_MOUNT,
            mount.value(),
            "",
            LibC.AT_FDCWD,
            target,
            LibC.MOVE_MOUNT_F_EMPTY_PATH),
        code,
        what);
  }

  public static void pivotRoot(String newRoot, String putOld, ExitCode code, String what) {
    check(LibC.syscall(LibC.SYS_PIVOT_ROOT, newRoot, putOld), code, what);
  }

  public static void fchdir(Fd dir, ExitCode code, String what) {
    check(LibC.fchdir(dir.value()), code, what);
  }

  /**
   * openat2(dir, path, {flags, 0, resolve}): opens a path below {@code dir} under the given {@code
   * RESOLVE_*} rules. Empty when it does not exist; any other failure is thrown.
   */
  public static java.util.Optional<Fd> openat2(
      Fd dir, String path, int flags, long resolve, ExitCode code, String what) {
    try (Memory how = new Memory(24)) {
      how.clear();
      how.setLong(0, flags & 0xffffffffL);
      how.setLong(16, resolve);
      return unlessMissing(
          LibC.syscall(LibC.SYS_OPENAT2, dir.value(), path, how, how.size()), code, what);
    }
  }

  /** The file type ({@code S_IF*} bits of the mode) of an open file, by statx. */
  public static int fileType(Fd file, ExitCode code, String what) {
    try (Memory statx = new Memory(256)) {
      statx.clear();
      check(
          LibC.syscall(
              LibC.SYS_STATX,
              file.value(),
              "",
              LibC.AT_EMPTY_PATH | LibC.AT_SYMLINK_NOFOLLOW,
              LibC.STATX_TYPE,
              statx),
          code,
          what);
      return statx.getShort(28) & LibC.S_IFMT;
    }
  }

  /** Sets and clears mount attributes ({@code MOUNT_ATTR_*}) of one mount, given by a mount fd. */
  public static void mountSetattr(Fd mount, long set, long clear, ExitCode code, String what) {
    try (Memory attributes = new Memory(32)) {
      attributes.clear();
      attributes.setLong(0, set);
      attributes.setLong(8, clear);
      check(
          LibC.syscall(
              LibC.SYS_MOUNT_SETATTR,
              mount.value(),
              "",
              LibC.AT_EMPTY_PATH,
              attributes,
              attributes.size()),
          code,
          what);
    }
  }

  /** A new, unconfigured file system context (fsopen). */
  public static Fd fsopen(String type, ExitCode code, String what) {
    return new Fd(
        (int) check(LibC.syscall(LibC.SYS_FSOPEN, type, LibC.FSOPEN_CLOEXEC), code, what));
  }

  /** Sets a string parameter of a file system context, or a flag when {@code value} is null. */
  public static void fsconfig(Fd context, String key, String value, ExitCode code, String what) {
    int command = value == null ? LibC.FSCONFIG_SET_FLAG : LibC.FSCONFIG_SET_STRING;
    check(LibC.syscall(LibC.SYS_FSCONFIG, context.value(), command, key, value, 0), code, what);
  }

  /** Creates the superblock of a configured context (FSCONFIG_CMD_CREATE). */
  public static void fsconfigCreate(Fd context, ExitCode code, String what) {
    check(
        LibC.syscall(LibC.SYS_FSCONFIG, context.value(), LibC.FSCONFIG_CMD_CREATE, null, null, 0),
        code,
        what);
  }

  /** A detached mount of a created file system context, with {@code MOUNT_ATTR_*} attributes. */
  public static Fd fsmount(Fd context, long attributes, ExitCode code, String what) {
    return new Fd(
        (int)
            check(
                LibC.syscall(
                    LibC.SYS_FSMOUNT, context.value(), LibC.FSMOUNT_CLOEXEC, (int) attributes),
                code,
                what));
  }

  public static Fd pidfdOpen(int pid, ExitCode code, String what) {
    return new Fd((int) check(LibC.syscall(LibC.SYS_PIDFD_OPEN, pid, 0), code, what));
  }

  /** Whether the process behind {@code pidfd} still runs (signal 0 reaches it). */
  public static boolean alive(Fd pidfd) {
    return LibC.syscall(LibC.SYS_PIDFD_SEND_SIGNAL, pidfd.value(), 0, null, 0) == 0;
  }
}
