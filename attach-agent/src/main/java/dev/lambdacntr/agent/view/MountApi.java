package dev.lambdacntr.agent.view;

import dev.lambdacntr.sys.Errno;
import dev.lambdacntr.sys.Fcntl;
import dev.lambdacntr.sys.Libc;
import dev.lambdacntr.sys.Mounts;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Optional;

/**
 * What the kernel's mount API offers the agent, probed without effect. Both backends need it: the
 * view is built with open_tree, move_mount, mount_setattr and openat2 ({@link ViewBuilder}), the
 * mount backend clones the tools root with open_tree, and the fuse backend creates cntrfs's mount
 * with fsopen and fsmount and serves an open_tree clone of the tools root. open_tree is the oldest
 * of those calls (Linux 5.2), mount_setattr the newest (5.12).
 *
 * @param openTree the errno of {@code open_tree("/")} without cloning (an O_PATH open, which needs
 *     no privilege), 0 when it worked
 * @param mountSetattr the errno of {@code mount_setattr} with an attribute size of 0, which the
 *     kernel refuses with EINVAL before any permission check when it has the call
 */
public record MountApi(int openTree, int mountSetattr) {

  /** Probes the running kernel: two system calls, nothing cloned or changed. */
  public static MountApi probe() {
    try (Arena arena = Arena.ofConfined()) {
      int fd = Mounts.openTree(Fcntl.AT_FDCWD, Libc.cstr(arena, "/"), Fcntl.O_CLOEXEC);
      int openTree = 0;
      if (fd >= 0) {
        Libc.close(fd);
      } else {
        openTree = -fd;
      }
      int r = Mounts.mountSetattr(-1, Libc.cstr(arena, ""), 0, MemorySegment.NULL, 0L);
      return new MountApi(openTree, r < 0 ? -r : 0);
    }
  }

  /**
   * The first call the agent cannot use, with its errno ({@code open_tree: ENOSYS}); empty when the
   * probes found both. mount_setattr counts as missing with ENOSYS (an older kernel) and as refused
   * with EPERM (a seccomp filter or LSM: the probe fails before any permission check otherwise).
   */
  public Optional<String> unusable() {
    if (openTree != 0) {
      return Optional.of("open_tree: " + Errno.name(openTree));
    }
    if (mountSetattr == Errno.ENOSYS || mountSetattr == Errno.EPERM) {
      return Optional.of("mount_setattr: " + Errno.name(mountSetattr));
    }
    return Optional.empty();
  }
}
