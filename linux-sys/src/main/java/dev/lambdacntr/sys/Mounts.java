package dev.lambdacntr.sys;

import java.lang.foreign.MemorySegment;

/**
 * The kernel's file-descriptor mount API (open_tree and move_mount, Linux 5.2; fsopen, fsconfig and
 * fsmount, 5.2; mount_setattr, 5.12) and pivot_root, which glibc 2.36 has no wrappers for. Like
 * {@link Libc}, each returns its result or the negated errno.
 */
public final class Mounts {
  private Mounts() {}

  public static final int OPEN_TREE_CLONE = 1;
  public static final int MOVE_MOUNT_F_EMPTY_PATH = 0x4;
  public static final int MOVE_MOUNT_T_EMPTY_PATH = 0x40;

  public static final int FSOPEN_CLOEXEC = 1;
  public static final int FSCONFIG_SET_FLAG = 0;
  public static final int FSCONFIG_SET_STRING = 1;
  public static final int FSCONFIG_CMD_CREATE = 6;
  public static final int FSMOUNT_CLOEXEC = 1;

  public static final long MOUNT_ATTR_RDONLY = 0x1;
  public static final long MOUNT_ATTR_NOSUID = 0x2;
  public static final long MOUNT_ATTR_NODEV = 0x4;
  public static final long MOUNT_ATTR_NOEXEC = 0x8;

  /** The size of struct mount_attr the agent passes (MOUNT_ATTR_SIZE_VER0). */
  public static final long MOUNT_ATTR_SIZE = 32;

  /**
   * open_tree(dirfd, path, flags): an O_PATH descriptor of a mount, or with OPEN_TREE_CLONE a copy.
   */
  public static int openTree(int dirfd, MemorySegment path, int flags) {
    return (int) Libc.syscall(Libc.SYS_OPEN_TREE, dirfd, path.address(), flags);
  }

  /** move_mount(from_dirfd, from_path, to_dirfd, to_path, flags). */
  public static int moveMount(
      int fromDirfd, MemorySegment fromPath, int toDirfd, MemorySegment toPath, int flags) {
    return (int)
        Libc.syscall(
            Libc.SYS_MOVE_MOUNT,
            fromDirfd,
            fromPath.address(),
            toDirfd,
            toPath.address(),
            flags,
            0);
  }

  public static int pivotRoot(MemorySegment newRoot, MemorySegment putOld) {
    return (int) Libc.syscall(Libc.SYS_PIVOT_ROOT, newRoot.address(), putOld.address(), 0);
  }

  /** mount_setattr(dirfd, path, flags, attr, size); {@code attr} is a struct mount_attr. */
  public static int mountSetattr(
      int dirfd, MemorySegment path, int flags, MemorySegment attr, long size) {
    return (int)
        Libc.syscall(Libc.SYS_MOUNT_SETATTR, dirfd, path.address(), flags, attr.address(), size, 0);
  }

  public static int fsopen(MemorySegment type, int flags) {
    return (int) Libc.syscall(Libc.SYS_FSOPEN, type.address(), flags, 0);
  }

  /**
   * fsconfig(fd, cmd, key, value, aux); NULL segments for the arguments a command does not take.
   */
  public static int fsconfig(int fd, int command, MemorySegment key, MemorySegment value, int aux) {
    return (int)
        Libc.syscall(Libc.SYS_FSCONFIG, fd, command, key.address(), value.address(), aux, 0);
  }

  public static int fsmount(int fd, int flags, int attributes) {
    return (int) Libc.syscall(Libc.SYS_FSMOUNT, fd, flags, attributes);
  }
}
