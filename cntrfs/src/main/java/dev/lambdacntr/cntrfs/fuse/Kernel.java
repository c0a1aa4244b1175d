package dev.lambdacntr.cntrfs.fuse;

/**
 * Constants of the FUSE kernel protocol that cntrfs speaks (7.45 and older, down to 7.31); the
 * structs are in {@link FuseLayouts}.
 */
public final class Kernel {
  private Kernel() {}

  public static final int MAJOR = 7;
  public static final int MINOR = 45;

  /** The oldest minor version we accept: passthrough needs 40, but everything else works on 31. */
  public static final int MIN_MINOR = 31;

  public static final long ROOT_ID = 1;

  // INIT flags (flags | flags2 << 32)
  public static final long ASYNC_READ = 1L;
  public static final long POSIX_LOCKS = 1L << 1;
  public static final long ATOMIC_O_TRUNC = 1L << 3;
  public static final long EXPORT_SUPPORT = 1L << 4;
  public static final long BIG_WRITES = 1L << 5;
  public static final long DONT_MASK = 1L << 6;
  public static final long FLOCK_LOCKS = 1L << 10;
  public static final long AUTO_INVAL_DATA = 1L << 12;
  public static final long DO_READDIRPLUS = 1L << 13;
  public static final long READDIRPLUS_AUTO = 1L << 14;
  public static final long ASYNC_DIO = 1L << 15;
  public static final long WRITEBACK_CACHE = 1L << 16;
  public static final long PARALLEL_DIROPS = 1L << 18;
  public static final long HANDLE_KILLPRIV = 1L << 19;
  public static final long MAX_PAGES = 1L << 22;
  public static final long CACHE_SYMLINKS = 1L << 23;
  public static final long HANDLE_KILLPRIV_V2 = 1L << 28;
  public static final long INIT_EXT = 1L << 30;
  public static final long CREATE_SUPP_GROUP = 1L << 34;
  public static final long PASSTHROUGH = 1L << 37;

  // open reply flags
  public static final int FOPEN_DIRECT_IO = 1;
  public static final int FOPEN_KEEP_CACHE = 1 << 1;
  public static final int FOPEN_CACHE_DIR = 1 << 3;
  public static final int FOPEN_NOFLUSH = 1 << 5;
  public static final int FOPEN_PARALLEL_DIRECT_WRITES = 1 << 6;
  public static final int FOPEN_PASSTHROUGH = 1 << 7;

  // setattr valid bits
  public static final int FATTR_MODE = 1;
  public static final int FATTR_UID = 1 << 1;
  public static final int FATTR_GID = 1 << 2;
  public static final int FATTR_SIZE = 1 << 3;
  public static final int FATTR_ATIME = 1 << 4;
  public static final int FATTR_MTIME = 1 << 5;
  public static final int FATTR_FH = 1 << 6;
  public static final int FATTR_ATIME_NOW = 1 << 7;
  public static final int FATTR_MTIME_NOW = 1 << 8;
  public static final int FATTR_CTIME = 1 << 10;
  public static final int FATTR_KILL_SUIDGID = 1 << 11;

  public static final int WRITE_KILL_SUIDGID = 1 << 2;
  public static final int OPEN_KILL_SUIDGID = 1;

  public static final int GETATTR_FH = 1;
  public static final int FSYNC_FDATASYNC = 1;

  /** The extension type carrying the caller's supplementary group for creations. */
  public static final int EXT_GROUPS = 32;

  public static final int NOTIFY_INVAL_ENTRY = 3;
  public static final int NOTIFY_PRUNE = 9;

  // /dev/fuse ioctls
  public static final long DEV_IOC_CLONE = 0x8004E500L;
  public static final long DEV_IOC_BACKING_OPEN = 0x4010E501L;
  public static final long DEV_IOC_BACKING_CLOSE = 0x4004E502L;
}
