package dev.lambdacntr.agent.sys;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import dev.lambdacntr.sys.Errno;
import dev.lambdacntr.sys.Fcntl;
import dev.lambdacntr.sys.Libc;
import dev.lambdacntr.sys.Mounts;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Optional;

/**
 * The system calls of {@link Libc} and {@link Mounts} the agent makes, failing with a {@link
 * CntrException} whose message names the operation, its object and the errno: {@code cannot enter
 * the mount namespace of pid 42: EPERM}. Each takes the exit code a failure should end the agent
 * with and the words for the message.
 *
 * <p>Structs are filled and read by copying arrays ({@code allocateFrom}, {@code toArray}), not
 * through {@code get}/{@code set}: those need VarHandles the JDK builds at their first use, which
 * costs the start-up milliseconds (the AOT cache's training run does not build the view).
 */
public final class Sys {
  private Sys() {}

  /** The offset of stx_mode in struct statx. */
  private static final long STATX_MODE = 28;

  /**
   * Fails with "cannot WHAT: ERRNO" when {@code result} is a negated errno; returns it otherwise.
   */
  public static long check(long result, ExitCode code, String what) {
    if (result < 0) {
      throw failure(code, what, (int) -result);
    }
    return result;
  }

  /** The exception for a failed call with the given errno. */
  public static CntrException failure(ExitCode code, String what, int errno) {
    return new CntrException(code, "cannot " + what + ": " + Errno.name(errno));
  }

  public static Fd open(String path, int flags, ExitCode code, String what) {
    try (Arena arena = Arena.ofConfined()) {
      return new Fd(
          (int) check(Libc.openat(Fcntl.AT_FDCWD, Libc.cstr(arena, path), flags, 0), code, what));
    }
  }

  public static Fd openat(Fd dir, String path, int flags, ExitCode code, String what) {
    try (Arena arena = Arena.ofConfined()) {
      return new Fd(
          (int) check(Libc.openat(dir.value(), Libc.cstr(arena, path), flags, 0), code, what));
    }
  }

  /** A duplicate of {@code fd} without close-on-exec, for handing to the session helper. */
  public static Fd inheritable(Fd fd, ExitCode code, String what) {
    return new Fd((int) check(Libc.dup(fd.value()), code, what));
  }

  public static void unshare(int flags, ExitCode code, String what) {
    check(Libc.unshare(flags), code, what);
  }

  public static void setns(Fd ns, int type, ExitCode code, String what) {
    check(Libc.setns(ns.value(), type), code, what);
  }

  public static void mount(
      String source,
      String target,
      String type,
      long flags,
      String data,
      ExitCode code,
      String what) {
    try (Arena arena = Arena.ofConfined()) {
      check(
          Libc.mount(
              Libc.cstrOrNull(arena, source),
              Libc.cstrOrNull(arena, target),
              Libc.cstrOrNull(arena, type),
              flags,
              Libc.cstrOrNull(arena, data)),
          code,
          what);
    }
  }

  /** A detached copy of the mount at {@code path} (and, if {@code recursive}, the ones below). */
  public static Fd openTree(int dirfd, String path, boolean recursive, ExitCode code, String what) {
    int flags = Mounts.OPEN_TREE_CLONE | Fcntl.O_CLOEXEC | (recursive ? Fcntl.AT_RECURSIVE : 0);
    if (path.isEmpty()) {
      flags |= Fcntl.AT_EMPTY_PATH;
    }
    try (Arena arena = Arena.ofConfined()) {
      return new Fd((int) check(Mounts.openTree(dirfd, Libc.cstr(arena, path), flags), code, what));
    }
  }

  /** Like {@link #openTree}, but empty when {@code path} does not exist. */
  public static Optional<Fd> openTreeIfPresent(
      String path, boolean recursive, ExitCode code, String what) {
    int flags = Mounts.OPEN_TREE_CLONE | Fcntl.O_CLOEXEC | (recursive ? Fcntl.AT_RECURSIVE : 0);
    try (Arena arena = Arena.ofConfined()) {
      return unlessMissing(
          Mounts.openTree(Fcntl.AT_FDCWD, Libc.cstr(arena, path), flags), code, what);
    }
  }

  /**
   * A detached copy of the detached mount {@code mount} (its own mount, not the ones below); empty
   * when the kernel refuses to copy a detached mount (EINVAL), as older kernels do (6.18 copies
   * it).
   */
  public static Optional<Fd> cloneDetachedMount(Fd mount, ExitCode code, String what) {
    int flags = Mounts.OPEN_TREE_CLONE | Fcntl.O_CLOEXEC | Fcntl.AT_EMPTY_PATH;
    try (Arena arena = Arena.ofConfined()) {
      return unless(
          Errno.EINVAL, Mounts.openTree(mount.value(), Libc.cstr(arena, ""), flags), code, what);
    }
  }

  /** The descriptor a call returned; empty when it failed with ENOENT, thrown otherwise. */
  private static Optional<Fd> unlessMissing(int fd, ExitCode code, String what) {
    return unless(Errno.ENOENT, fd, code, what);
  }

  /** The descriptor a call returned; empty when it failed with {@code errno}, thrown otherwise. */
  private static Optional<Fd> unless(int errno, int fd, ExitCode code, String what) {
    if (fd == -errno) {
      return Optional.empty();
    }
    return Optional.of(new Fd((int) check(fd, code, what)));
  }

  /** Attaches the detached mount {@code mount} at {@code target} in the thread's namespace. */
  public static void moveMount(Fd mount, String target, ExitCode code, String what) {
    try (Arena arena = Arena.ofConfined()) {
      check(
          Mounts.moveMount(
              mount.value(),
              Libc.cstr(arena, ""),
              Fcntl.AT_FDCWD,
              Libc.cstr(arena, target),
              Mounts.MOVE_MOUNT_F_EMPTY_PATH),
          code,
          what);
    }
  }

  /** Attaches the detached mount {@code mount} on the file or directory {@code target} is. */
  public static void moveMountOnto(Fd mount, Fd target, ExitCode code, String what) {
    try (Arena arena = Arena.ofConfined()) {
      check(
          Mounts.moveMount(
              mount.value(),
              Libc.cstr(arena, ""),
              target.value(),
              Libc.cstr(arena, ""),
              Mounts.MOVE_MOUNT_F_EMPTY_PATH | Mounts.MOVE_MOUNT_T_EMPTY_PATH),
          code,
          what);
    }
  }

  public static void pivotRoot(String newRoot, String putOld, ExitCode code, String what) {
    try (Arena arena = Arena.ofConfined()) {
      check(Mounts.pivotRoot(Libc.cstr(arena, newRoot), Libc.cstr(arena, putOld)), code, what);
    }
  }

  public static void fchdir(Fd dir, ExitCode code, String what) {
    check(Libc.fchdir(dir.value()), code, what);
  }

  /**
   * openat2(dir, path, {flags, 0, resolve}): opens a path below {@code dir} under the given {@code
   * RESOLVE_*} rules. Empty when it does not exist; any other failure is thrown.
   */
  public static Optional<Fd> openat2(
      Fd dir, String path, int flags, long resolve, ExitCode code, String what) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment how = arena.allocateFrom(JAVA_LONG, flags & 0xffffffffL, 0, resolve);
      return unlessMissing(Libc.openat2(dir.value(), Libc.cstr(arena, path), how), code, what);
    }
  }

  /** The file type ({@code S_IF*} bits of the mode) of an open file, by statx. */
  public static int fileType(Fd file, ExitCode code, String what) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment statx = arena.allocate(256);
      check(
          Libc.statx(
              file.value(),
              Libc.cstr(arena, ""),
              Fcntl.AT_EMPTY_PATH | Fcntl.AT_SYMLINK_NOFOLLOW,
              Fcntl.STATX_TYPE,
              statx),
          code,
          what);
      return statx.asSlice(STATX_MODE, JAVA_SHORT.byteSize()).toArray(JAVA_SHORT)[0] & Fcntl.S_IFMT;
    }
  }

  /** Sets and clears mount attributes ({@code MOUNT_ATTR_*}) of one mount, given by a mount fd. */
  public static void mountSetattr(Fd mount, long set, long clear, ExitCode code, String what) {
    mountSetattr(mount, set, clear, false, code, what);
  }

  /** Like {@link #mountSetattr}, and with {@code recursive} for every mount below it as well. */
  public static void mountSetattr(
      Fd mount, long set, long clear, boolean recursive, ExitCode code, String what) {
    try (Arena arena = Arena.ofConfined()) {
      // struct mount_attr: attr_set, attr_clr, propagation, userns_fd
      MemorySegment attributes = arena.allocateFrom(JAVA_LONG, set, clear, 0, 0);
      check(
          Mounts.mountSetattr(
              mount.value(),
              Libc.cstr(arena, ""),
              Fcntl.AT_EMPTY_PATH | (recursive ? Fcntl.AT_RECURSIVE : 0),
              attributes,
              Mounts.MOUNT_ATTR_SIZE),
          code,
          what);
    }
  }

  /** A new, unconfigured file system context (fsopen). */
  public static Fd fsopen(String type, ExitCode code, String what) {
    try (Arena arena = Arena.ofConfined()) {
      return new Fd(
          (int) check(Mounts.fsopen(Libc.cstr(arena, type), Mounts.FSOPEN_CLOEXEC), code, what));
    }
  }

  /** Sets a string parameter of a file system context, or a flag when {@code value} is null. */
  public static void fsconfig(Fd context, String key, String value, ExitCode code, String what) {
    int command = value == null ? Mounts.FSCONFIG_SET_FLAG : Mounts.FSCONFIG_SET_STRING;
    try (Arena arena = Arena.ofConfined()) {
      check(
          Mounts.fsconfig(
              context.value(), command, Libc.cstr(arena, key), Libc.cstrOrNull(arena, value), 0),
          code,
          what);
    }
  }

  /** Creates the superblock of a configured context (FSCONFIG_CMD_CREATE). */
  public static void fsconfigCreate(Fd context, ExitCode code, String what) {
    check(
        Mounts.fsconfig(
            context.value(), Mounts.FSCONFIG_CMD_CREATE, MemorySegment.NULL, MemorySegment.NULL, 0),
        code,
        what);
  }

  /** A detached mount of a created file system context, with {@code MOUNT_ATTR_*} attributes. */
  public static Fd fsmount(Fd context, long attributes, ExitCode code, String what) {
    return new Fd(
        (int)
            check(
                Mounts.fsmount(context.value(), Mounts.FSMOUNT_CLOEXEC, (int) attributes),
                code,
                what));
  }

  public static Fd pidfdOpen(int pid, ExitCode code, String what) {
    return new Fd((int) check(Libc.pidfdOpen(pid, 0), code, what));
  }

  /** Whether the process behind {@code pidfd} still runs (signal 0 reaches it). */
  public static boolean alive(Fd pidfd) {
    return Libc.pidfdSendSignal(pidfd.value(), 0) == 0;
  }
}
