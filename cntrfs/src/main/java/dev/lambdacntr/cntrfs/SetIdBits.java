package dev.lambdacntr.cntrfs;

import dev.lambdacntr.sys.Fcntl;

/**
 * The set-user-ID and set-group-ID bits that a write or truncate by a caller without CAP_FSETID
 * clears (the rule of FUSE_HANDLE_KILLPRIV_V2, as the kernel applies it itself): set-user-ID
 * always, set-group-ID only on a group-executable file.
 */
final class SetIdBits {
  private static final int S_ISUID = 04000;
  private static final int S_ISGID = 02000;
  private static final int S_IXGRP = 010;
  private static final int GROUP_OR_OTHERS_WRITE = 022;

  private SetIdBits() {}

  /** The bits of {@code mode} such a write clears; 0 when it clears none. */
  static int clearedByWrite(int mode) {
    int cleared = mode & S_ISUID;
    if ((mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP)) {
      cleared |= S_ISGID;
    }
    return cleared;
  }

  /**
   * Whether chown(-1, -1) by {@code uid} may clear the set-ID bits of a file of {@code mode} owned
   * by {@code owner}. Natively only the owner or root may (others get EPERM), and only on a file
   * that is not a directory. Through FUSE the kernel does not check it, and it sends the same
   * request, a SETATTR that changes nothing, before a write by any user allowed to write the file.
   * The server does not know the caller's groups, so the mode decides whether anyone but the owner
   * may write at all.
   */
  static boolean chownMayClear(int uid, int owner, int mode) {
    return (mode & Fcntl.S_IFMT) == Fcntl.S_IFDIR
        || clearedByWrite(mode) == 0
        || uid == 0
        || uid == owner
        || (mode & GROUP_OR_OTHERS_WRITE) != 0;
  }
}
