package dev.lambdacntr.sys;

/** File, *at(), namespace and mount flags and mode bits (Linux, x86_64). */
public final class Fcntl {
  private Fcntl() {}

  public static final int O_RDONLY = 0;
  public static final int O_WRONLY = 1;
  public static final int O_RDWR = 2;
  public static final int O_ACCMODE = 3;
  public static final int O_CREAT = 0100;
  public static final int O_EXCL = 0200;
  public static final int O_NOCTTY = 0400;
  public static final int O_TRUNC = 01000;
  public static final int O_APPEND = 02000;
  public static final int O_NONBLOCK = 04000;
  public static final int O_DIRECT = 040000;
  public static final int O_DIRECTORY = 0200000;
  public static final int O_NOFOLLOW = 0400000;
  public static final int O_CLOEXEC = 02000000;
  public static final int O_PATH = 010000000;

  public static final int AT_FDCWD = -100;
  public static final int AT_SYMLINK_NOFOLLOW = 0x100;
  public static final int AT_REMOVEDIR = 0x200;
  public static final int AT_SYMLINK_FOLLOW = 0x400;
  public static final int AT_EMPTY_PATH = 0x1000;
  public static final int AT_RECURSIVE = 0x8000;

  // openat2's struct open_how resolve flags
  public static final long RESOLVE_NO_XDEV = 0x01;
  public static final long RESOLVE_NO_MAGICLINKS = 0x02;
  public static final long RESOLVE_NO_SYMLINKS = 0x04;
  public static final long RESOLVE_BENEATH = 0x08;
  public static final long RESOLVE_IN_ROOT = 0x10;

  public static final int STATX_TYPE = 1;

  public static final int S_IFMT = 0170000;
  public static final int S_IFSOCK = 0140000;
  public static final int S_IFLNK = 0120000;
  public static final int S_IFREG = 0100000;
  public static final int S_IFBLK = 060000;
  public static final int S_IFDIR = 040000;
  public static final int S_IFCHR = 020000;
  public static final int S_IFIFO = 010000;

  public static final int SEEK_SET = 0;

  public static final long UTIME_NOW = (1L << 30) - 1;
  public static final long UTIME_OMIT = (1L << 30) - 2;

  public static final int CLONE_NEWTIME = 0x80;
  public static final int CLONE_FS = 0x200;
  public static final int CLONE_NEWNS = 0x20000;
  public static final int CLONE_NEWCGROUP = 0x02000000;
  public static final int CLONE_NEWUTS = 0x04000000;
  public static final int CLONE_NEWIPC = 0x08000000;
  public static final int CLONE_NEWUSER = 0x10000000;
  public static final int CLONE_NEWPID = 0x20000000;
  public static final int CLONE_NEWNET = 0x40000000;

  public static final long MS_NOSUID = 2;
  public static final long MS_NODEV = 4;
  public static final long MS_REC = 0x4000;
  public static final long MS_PRIVATE = 1 << 18;
  public static final int MNT_DETACH = 2;

  public static boolean isDirectory(int mode) {
    return (mode & S_IFMT) == S_IFDIR;
  }

  public static boolean isRegular(int mode) {
    return (mode & S_IFMT) == S_IFREG;
  }

  public static boolean isSymlink(int mode) {
    return (mode & S_IFMT) == S_IFLNK;
  }
}
