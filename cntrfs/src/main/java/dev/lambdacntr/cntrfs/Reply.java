package dev.lambdacntr.cntrfs;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import dev.lambdacntr.cntrfs.fuse.Kernel;
import dev.lambdacntr.sys.Stat;
import java.lang.foreign.MemorySegment;

/**
 * The reply being built for one request: a 16-byte header followed by the payload. Operations write
 * their payload at offsets relative to its start ({@link #payload}) and return its length.
 */
final class Reply {
  private final MemorySegment buffer;
  private final MemorySegment payload;

  Reply(MemorySegment buffer) {
    this.buffer = buffer;
    this.payload = buffer.asSlice(Kernel.OUT_HEADER);
  }

  MemorySegment buffer() {
    return buffer;
  }

  MemorySegment payload() {
    return payload;
  }

  int capacity() {
    return (int) payload.byteSize();
  }

  void header(int payloadLength, int errno, long unique) {
    buffer.set(JAVA_INT_UNALIGNED, 0, Kernel.OUT_HEADER + payloadLength);
    buffer.set(JAVA_INT_UNALIGNED, 4, -errno);
    buffer.set(JAVA_LONG_UNALIGNED, 8, unique);
  }

  void i32(int offset, int value) {
    payload.set(JAVA_INT_UNALIGNED, offset, value);
  }

  void i64(int offset, long value) {
    payload.set(JAVA_LONG_UNALIGNED, offset, value);
  }

  /** Zeroes {@code length} payload bytes from {@code offset}. */
  void clear(int offset, int length) {
    payload.asSlice(offset, length).fill((byte) 0);
  }

  /** A struct fuse_attr at {@code offset}, from a struct stat. */
  void attr(int offset, MemorySegment stat) {
    i64(offset, Stat.ino(stat));
    i64(offset + 8, Stat.size(stat));
    i64(offset + 16, Stat.blocks(stat));
    i64(offset + 24, Stat.atime(stat));
    i64(offset + 32, Stat.mtime(stat));
    i64(offset + 40, Stat.ctime(stat));
    i32(offset + 48, (int) Stat.atimeNsec(stat));
    i32(offset + 52, (int) Stat.mtimeNsec(stat));
    i32(offset + 56, (int) Stat.ctimeNsec(stat));
    i32(offset + 60, Stat.mode(stat));
    i32(offset + 64, (int) Stat.nlink(stat));
    i32(offset + 68, Stat.uid(stat));
    i32(offset + 72, Stat.gid(stat));
    i32(offset + 76, encodeDev(Stat.rdev(stat)));
    i32(offset + 80, (int) Stat.blksize(stat));
    i32(offset + 84, 0);
  }

  /** A struct fuse_entry_out at {@code offset}. */
  void entry(int offset, long nodeId, long validSeconds, int validNanos, MemorySegment stat) {
    i64(offset, nodeId);
    i64(offset + 8, 0);
    i64(offset + 16, validSeconds);
    i64(offset + 24, validSeconds);
    i32(offset + 32, validNanos);
    i32(offset + 36, validNanos);
    attr(offset + 40, stat);
  }

  /** A negative entry: the name does not exist, and the kernel may remember that. */
  void negativeEntry(int offset, long validSeconds, int validNanos) {
    clear(offset, Kernel.ENTRY_OUT);
    i64(offset + 16, validSeconds);
    i32(offset + 32, validNanos);
  }

  /** The kernel's 32-bit device encoding (new_encode_dev) of a glibc dev_t. */
  static int encodeDev(long dev) {
    long major = ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
    long minor = (dev & 0xff) | ((dev >>> 12) & ~0xffL);
    return (int) ((minor & 0xff) | (major << 8) | ((minor & ~0xffL) << 12));
  }

  /** The glibc dev_t of the kernel's 32-bit encoding (new_decode_dev). */
  static long decodeDev(int dev) {
    long d = dev & 0xffffffffL;
    long major = (d & 0xfff00) >>> 8;
    long minor = (d & 0xff) | ((d >>> 12) & 0xfff00);
    return ((major & 0xfff) << 8)
        | ((major & ~0xfffL) << 32)
        | (minor & 0xff)
        | ((minor & ~0xffL) << 12);
  }
}
