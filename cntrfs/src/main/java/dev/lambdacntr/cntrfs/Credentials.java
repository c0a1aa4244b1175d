package dev.lambdacntr.cntrfs;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.lambdacntr.sys.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The file-system identity of one serving thread. New files must belong to the caller, so a
 * creation runs with the caller's fsuid, fsgid and (when the kernel sends it) the supplementary
 * group that grants access to the directory; everything else runs as the server, because the kernel
 * has already checked the caller's permissions (default_permissions). Linux keeps these per thread,
 * so threads never disturb each other.
 */
final class Credentials {
  private final int serverUid;
  private final int serverGid;
  private final MemorySegment serverGroups;
  private final int serverGroupCount;
  private final MemorySegment oneGroup;
  private boolean switched;

  Credentials(Arena arena) {
    serverUid = Libc.getuid();
    serverGid = Libc.getgid();
    int n = Math.max(0, Libc.getgroups(0, MemorySegment.NULL));
    serverGroups = arena.allocate(JAVA_INT, Math.max(1, n));
    serverGroupCount = n == 0 ? 0 : Math.max(0, Libc.getgroups(n, serverGroups));
    oneGroup = arena.allocate(JAVA_INT, 1);
  }

  /** Acts as the caller for the next system calls of this thread. */
  void becomeCaller(int uid, int gid, int supplementaryGroup) {
    if (uid == serverUid && gid == serverGid && supplementaryGroup < 0) {
      return;
    }
    switched = true;
    if (supplementaryGroup >= 0) {
      oneGroup.set(JAVA_INT, 0, supplementaryGroup);
      Libc.setgroupsThread(1, oneGroup);
    } else {
      Libc.setgroupsThread(0, oneGroup);
    }
    Libc.setfsgid(gid);
    Libc.setfsuid(uid);
  }

  /** Acts as the server again. */
  void becomeServer() {
    if (!switched) {
      return;
    }
    switched = false;
    Libc.setfsuid(serverUid);
    Libc.setfsgid(serverGid);
    Libc.setgroupsThread(serverGroupCount, serverGroups);
  }
}
