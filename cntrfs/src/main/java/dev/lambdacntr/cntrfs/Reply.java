package dev.lambdacntr.cntrfs;

import dev.lambdacntr.cntrfs.fuse.FuseLayouts.Attr;
import dev.lambdacntr.cntrfs.fuse.FuseLayouts.EntryOut;
import dev.lambdacntr.cntrfs.fuse.FuseLayouts.OutHeader;
import dev.lambdacntr.cntrfs.fuse.FuseLayouts.U16;
import dev.lambdacntr.cntrfs.fuse.FuseLayouts.U32;
import dev.lambdacntr.cntrfs.fuse.FuseLayouts.U64;
import dev.lambdacntr.sys.Stat;
import java.lang.foreign.MemorySegment;

/**
 * The reply being built for one request: a struct fuse_out_header followed by the payload.
 * Operations write their payload's structs through the field accessors of {@link
 * dev.lambdacntr.cntrfs.fuse.FuseLayouts}, at offsets relative to the start of the payload ({@link
 * #payload}), and return its length.
 */
final class Reply {
  private final MemorySegment buffer;
  private final MemorySegment payload;

  Reply(MemorySegment buffer) {
    this.buffer = buffer;
    this.payload = buffer.asSlice(OutHeader.SIZE);
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
    OutHeader.LEN.set(buffer, 0L, OutHeader.SIZE + payloadLength);
    OutHeader.ERROR.set(buffer, 0L, -errno);
    OutHeader.UNIQUE.set(buffer, 0L, unique);
  }

  /** Sets a 16-bit field of the struct at {@code at}. */
  void i16(U16 field, long at, int value) {
    field.set(payload, at, (short) value);
  }

  /** Sets a 32-bit field of the struct at {@code at}. */
  void i32(U32 field, long at, int value) {
    field.set(payload, at, value);
  }

  /** Sets a 64-bit field of the struct at {@code at}. */
  void i64(U64 field, long at, long value) {
    field.set(payload, at, value);
  }

  /** A 64-bit field of the struct at {@code at}, as written so far. */
  long i64(U64 field, long at) {
    return field.get(payload, at);
  }

  /** Zeroes {@code length} payload bytes from {@code offset}. */
  void clear(int offset, int length) {
    payload.asSlice(offset, length).fill((byte) 0);
  }

  /** A struct fuse_attr at {@code at}, from a struct stat. */
  void attr(long at, MemorySegment stat) {
    i64(Attr.INO, at, Stat.ino(stat));
    i64(Attr.SIZE_FIELD, at, Stat.size(stat));
    i64(Attr.BLOCKS, at, Stat.blocks(stat));
    i64(Attr.ATIME, at, Stat.atime(stat));
    i64(Attr.MTIME, at, Stat.mtime(stat));
    i64(Attr.CTIME, at, Stat.ctime(stat));
    i32(Attr.ATIMENSEC, at, (int) Stat.atimeNsec(stat));
    i32(Attr.MTIMENSEC, at, (int) Stat.mtimeNsec(stat));
    i32(Attr.CTIMENSEC, at, (int) Stat.ctimeNsec(stat));
    i32(Attr.MODE, at, Stat.mode(stat));
    i32(Attr.NLINK, at, (int) Stat.nlink(stat));
    i32(Attr.UID, at, Stat.uid(stat));
    i32(Attr.GID, at, Stat.gid(stat));
    i32(Attr.RDEV, at, encodeDev(Stat.rdev(stat)));
    i32(Attr.BLKSIZE, at, (int) Stat.blksize(stat));
    i32(Attr.FLAGS, at, 0);
  }

  /** A struct fuse_entry_out at {@code at}. */
  void entry(long at, long nodeId, long validSeconds, int validNanos, MemorySegment stat) {
    i64(EntryOut.NODEID, at, nodeId);
    i64(EntryOut.GENERATION, at, 0);
    i64(EntryOut.ENTRY_VALID, at, validSeconds);
    i64(EntryOut.ATTR_VALID, at, validSeconds);
    i32(EntryOut.ENTRY_VALID_NSEC, at, validNanos);
    i32(EntryOut.ATTR_VALID_NSEC, at, validNanos);
    attr(at + EntryOut.ATTR, stat);
  }

  /** A negative entry: the name does not exist, and the kernel may remember that. */
  void negativeEntry(int at, long validSeconds, int validNanos) {
    clear(at, EntryOut.SIZE);
    i64(EntryOut.ENTRY_VALID, at, validSeconds);
    i32(EntryOut.ENTRY_VALID_NSEC, at, validNanos);
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
