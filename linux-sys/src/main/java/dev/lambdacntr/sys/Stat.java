package dev.lambdacntr.sys;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;

/** Field access to a Linux x86_64 {@code struct stat} (144 bytes) in native memory. */
public final class Stat {
  private Stat() {}

  public static final long SIZE = 144;

  public static long dev(MemorySegment s) {
    return s.get(JAVA_LONG, 0);
  }

  public static long ino(MemorySegment s) {
    return s.get(JAVA_LONG, 8);
  }

  public static long nlink(MemorySegment s) {
    return s.get(JAVA_LONG, 16);
  }

  public static int mode(MemorySegment s) {
    return s.get(JAVA_INT, 24);
  }

  public static int uid(MemorySegment s) {
    return s.get(JAVA_INT, 28);
  }

  public static int gid(MemorySegment s) {
    return s.get(JAVA_INT, 32);
  }

  public static long rdev(MemorySegment s) {
    return s.get(JAVA_LONG, 40);
  }

  public static long size(MemorySegment s) {
    return s.get(JAVA_LONG, 48);
  }

  public static long blksize(MemorySegment s) {
    return s.get(JAVA_LONG, 56);
  }

  public static long blocks(MemorySegment s) {
    return s.get(JAVA_LONG, 64);
  }

  public static long atime(MemorySegment s) {
    return s.get(JAVA_LONG, 72);
  }

  public static long atimeNsec(MemorySegment s) {
    return s.get(JAVA_LONG, 80);
  }

  public static long mtime(MemorySegment s) {
    return s.get(JAVA_LONG, 88);
  }

  public static long mtimeNsec(MemorySegment s) {
    return s.get(JAVA_LONG, 96);
  }

  public static long ctime(MemorySegment s) {
    return s.get(JAVA_LONG, 104);
  }

  public static long ctimeNsec(MemorySegment s) {
    return s.get(JAVA_LONG, 112);
  }
}
