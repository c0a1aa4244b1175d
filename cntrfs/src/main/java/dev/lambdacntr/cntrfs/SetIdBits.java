package dev.lambdacntr.cntrfs;

/**
 * The set-user-ID and set-group-ID bits that a write or truncate by a caller without CAP_FSETID
 * clears (the rule of FUSE_HANDLE_KILLPRIV_V2, as the kernel applies it itself): set-user-ID
 * always, set-group-ID only on a group-executable file.
 */
final class SetIdBits {
  private static final int S_ISUID = 04000;
  private static final int S_ISGID = 02000;
  private static final int S_IXGRP = 010;

  private SetIdBits() {}

  /** The bits of {@code mode} such a write clears; 0 when it clears none. */
  static int clearedByWrite(int mode) {
    int cleared = mode & S_ISUID;
    if ((mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP)) {
      cleared |= S_ISGID;
    }
    return cleared;
  }
}
