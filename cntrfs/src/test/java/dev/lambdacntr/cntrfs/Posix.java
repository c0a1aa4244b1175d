package dev.lambdacntr.cntrfs;

import dev.lambdacntr.sys.Errno;
import dev.lambdacntr.sys.Fcntl;
import dev.lambdacntr.sys.Libc;
import dev.lambdacntr.sys.Stat;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** System calls for tests, with Java strings; failures come back as {@link PosixError}. */
final class Posix {
  private Posix() {}

  /** A failed call: the errno and the call. */
  static final class PosixError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int errno;

    PosixError(String call, int errno) {
      super(call + ": " + Errno.name(errno));
      this.errno = errno;
    }
  }

  /** The struct stat fields tests look at. */
  record StatResult(
      long dev,
      long ino,
      long nlink,
      int mode,
      int uid,
      int gid,
      long rdev,
      long size,
      long mtime,
      long mtimeNsec,
      long atime,
      long atimeNsec,
      long ctime,
      long ctimeNsec) {
    int type() {
      return mode & Fcntl.S_IFMT;
    }

    /** The status change time in nanoseconds since the epoch. */
    long ctimeNanos() {
      return ctime * 1_000_000_000L + ctimeNsec;
    }
  }

  static long check(String call, long r) {
    if (r < 0) {
      throw new PosixError(call, (int) -r);
    }
    return r;
  }

  static StatResult lstat(Path p) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment st = a.allocate(Stat.SIZE, 8);
      check(
          "lstat " + p,
          Libc.fstatat(
              Fcntl.AT_FDCWD, a.allocateFrom(p.toString()), st, Fcntl.AT_SYMLINK_NOFOLLOW));
      return new StatResult(
          Stat.dev(st),
          Stat.ino(st),
          Stat.nlink(st),
          Stat.mode(st),
          Stat.uid(st),
          Stat.gid(st),
          Stat.rdev(st),
          Stat.size(st),
          Stat.mtime(st),
          Stat.mtimeNsec(st),
          Stat.atime(st),
          Stat.atimeNsec(st),
          Stat.ctime(st),
          Stat.ctimeNsec(st));
    }
  }

  static int open(Path p, int flags, int mode) {
    try (Arena a = Arena.ofConfined()) {
      return (int)
          check(
              "open " + p,
              Libc.openat(
                  Fcntl.AT_FDCWD, a.allocateFrom(p.toString()), flags | Fcntl.O_CLOEXEC, mode));
    }
  }

  static void close(int fd) {
    check("close", Libc.close(fd));
  }

  static void pwrite(int fd, byte[] data, long offset) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment buf = a.allocateFrom(java.lang.foreign.ValueLayout.JAVA_BYTE, data);
      long n = check("pwrite", Libc.pwrite(fd, buf, data.length, offset));
      if (n != data.length) {
        throw new PosixError("short pwrite " + n, Errno.EIO);
      }
    }
  }

  static void write(int fd, byte[] data) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment buf = a.allocateFrom(java.lang.foreign.ValueLayout.JAVA_BYTE, data);
      check("write", Libc.write(fd, buf, data.length));
    }
  }

  static byte[] pread(int fd, int size, long offset) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment buf = a.allocate(Math.max(1, size));
      long n = check("pread", Libc.pread(fd, buf, size, offset));
      return buf.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    }
  }

  static byte[] read(int fd, int size) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment buf = a.allocate(Math.max(1, size));
      long n = check("read", Libc.read(fd, buf, size));
      return buf.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    }
  }

  static void mknod(Path p, int mode, long dev) {
    try (Arena a = Arena.ofConfined()) {
      check("mknod " + p, Libc.mknodat(Fcntl.AT_FDCWD, a.allocateFrom(p.toString()), mode, dev));
    }
  }

  static void renameat2(Path from, Path to, int flags) {
    try (Arena a = Arena.ofConfined()) {
      check(
          "rename " + from + " " + to,
          Libc.renameat2(
              Fcntl.AT_FDCWD,
              a.allocateFrom(from.toString()),
              Fcntl.AT_FDCWD,
              a.allocateFrom(to.toString()),
              flags));
    }
  }

  static void fallocate(int fd, int mode, long offset, long length) {
    check("fallocate", Libc.fallocate(fd, mode, offset, length));
  }

  static void utimens(Path p, long atime, long atimeNsec, long mtime, long mtimeNsec) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment t = a.allocate(32, 8);
      t.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, atime);
      t.set(java.lang.foreign.ValueLayout.JAVA_LONG, 8, atimeNsec);
      t.set(java.lang.foreign.ValueLayout.JAVA_LONG, 16, mtime);
      t.set(java.lang.foreign.ValueLayout.JAVA_LONG, 24, mtimeNsec);
      check(
          "utimensat " + p,
          Libc.utimensat(
              Fcntl.AT_FDCWD, a.allocateFrom(p.toString()), t, Fcntl.AT_SYMLINK_NOFOLLOW));
    }
  }

  static void setxattr(Path p, String name, byte[] value, int flags) {
    try (Arena a = Arena.ofConfined()) {
      check(
          "setxattr " + p + " " + name,
          Libc.setxattr(
              a.allocateFrom(p.toString()),
              a.allocateFrom(name),
              a.allocateFrom(java.lang.foreign.ValueLayout.JAVA_BYTE, value),
              value.length,
              flags));
    }
  }

  static byte[] getxattr(Path p, String name) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment buf = a.allocate(65536);
      long n =
          check(
              "getxattr " + p + " " + name,
              Libc.getxattr(a.allocateFrom(p.toString()), a.allocateFrom(name), buf, 65536));
      return buf.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    }
  }

  static long getxattrSize(Path p, String name) {
    try (Arena a = Arena.ofConfined()) {
      return check(
          "getxattr " + p + " " + name,
          Libc.getxattr(a.allocateFrom(p.toString()), a.allocateFrom(name), MemorySegment.NULL, 0));
    }
  }

  static java.util.List<String> listxattr(Path p) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment buf = a.allocate(65536);
      long n = check("listxattr " + p, Libc.listxattr(a.allocateFrom(p.toString()), buf, 65536));
      java.util.List<String> names = new java.util.ArrayList<>();
      String all =
          new String(
              buf.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
              StandardCharsets.UTF_8);
      for (String s : all.split("\0")) {
        if (!s.isEmpty()) {
          names.add(s);
        }
      }
      return names;
    }
  }

  static void removexattr(Path p, String name) {
    try (Arena a = Arena.ofConfined()) {
      check(
          "removexattr " + p + " " + name,
          Libc.removexattr(a.allocateFrom(p.toString()), a.allocateFrom(name)));
    }
  }

  static void chown(Path p, int uid, int gid) {
    try (Arena a = Arena.ofConfined()) {
      check(
          "chown " + p,
          Libc.fchownat(
              Fcntl.AT_FDCWD, a.allocateFrom(p.toString()), uid, gid, Fcntl.AT_SYMLINK_NOFOLLOW));
    }
  }

  static void chmod(Path p, int mode) {
    try (Arena a = Arena.ofConfined()) {
      check("chmod " + p, Libc.fchmodat(Fcntl.AT_FDCWD, a.allocateFrom(p.toString()), mode, 0));
    }
  }

  static long makedev(long major, long minor) {
    return ((major & 0xfffff000L) << 32)
        | ((major & 0xfff) << 8)
        | ((minor & 0xffffff00L) << 12)
        | (minor & 0xff);
  }
}
