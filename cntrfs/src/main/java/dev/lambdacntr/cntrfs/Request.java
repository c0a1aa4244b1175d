package dev.lambdacntr.cntrfs;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;

import dev.lambdacntr.cntrfs.fuse.FuseLayouts.ExtHeader;
import dev.lambdacntr.cntrfs.fuse.FuseLayouts.InHeader;
import dev.lambdacntr.cntrfs.fuse.FuseLayouts.SuppGroups;
import dev.lambdacntr.cntrfs.fuse.FuseLayouts.U32;
import dev.lambdacntr.cntrfs.fuse.FuseLayouts.U64;
import dev.lambdacntr.cntrfs.fuse.Kernel;
import java.lang.foreign.MemorySegment;

/**
 * One request read from the FUSE device, viewed in place: the struct fuse_in_header and the
 * operation's arguments, which start right after it. Argument fields are read through the field
 * accessors of {@link dev.lambdacntr.cntrfs.fuse.FuseLayouts}; argument offsets are relative to the
 * start of the arguments. Names are NUL-terminated and are passed to system calls without a copy.
 */
final class Request {
  private static final long ARGS = InHeader.SIZE;

  private final MemorySegment buffer;
  private int length;

  Request(MemorySegment buffer) {
    this.buffer = buffer;
  }

  void reset(int length) {
    this.length = length;
  }

  int length() {
    return length;
  }

  int opcode() {
    return InHeader.OPCODE.get(buffer, 0L);
  }

  long unique() {
    return InHeader.UNIQUE.get(buffer, 0L);
  }

  long nodeId() {
    return InHeader.NODEID.get(buffer, 0L);
  }

  int uid() {
    return InHeader.UID.get(buffer, 0L);
  }

  int gid() {
    return InHeader.GID.get(buffer, 0L);
  }

  int pid() {
    return InHeader.PID.get(buffer, 0L);
  }

  /** Bytes of extensions at the end of the request (total_extlen counts 8-byte units). */
  int extensionLength() {
    return (InHeader.TOTAL_EXTLEN.get(buffer, 0L) & 0xffff) * Long.BYTES;
  }

  /** Where the operation's arguments end (and the extensions begin). */
  int argsEnd() {
    return length - extensionLength();
  }

  /** A 32-bit field of the argument struct. */
  int i32(U32 field) {
    return field.get(buffer, ARGS);
  }

  /** A 64-bit field of the argument struct. */
  long i64(U64 field) {
    return field.get(buffer, ARGS);
  }

  /** A 64-bit field of a struct {@code argOffset} bytes into the arguments. */
  long i64(U64 field, int argOffset) {
    return field.get(buffer, ARGS + argOffset);
  }

  /** Whether the arguments hold {@code size} bytes from {@code argOffset}. */
  boolean hasArgs(int argOffset, int size) {
    return ARGS + argOffset + size <= argsEnd();
  }

  /** The argument bytes from {@code argOffset}, for data and names. */
  MemorySegment at(int argOffset) {
    return buffer.asSlice(ARGS + argOffset, argsEnd() - ARGS - argOffset);
  }

  /** The argument bytes from {@code argOffset}, {@code size} long. */
  MemorySegment at(int argOffset, long size) {
    return buffer.asSlice(ARGS + argOffset, size);
  }

  /** The offset just past the NUL that ends the name starting at {@code argOffset}. */
  int afterName(int argOffset) {
    int end = argsEnd();
    for (int i = (int) ARGS + argOffset; i < end; i++) {
      if (buffer.get(JAVA_BYTE, i) == 0) {
        return i + 1 - (int) ARGS;
      }
    }
    return end - (int) ARGS;
  }

  /**
   * The supplementary group the kernel sends with a creation (FUSE_CREATE_SUPP_GROUP): the
   * directory's group when the caller belongs to it, or -1 when there is none.
   */
  int supplementaryGroup() {
    long pos = argsEnd();
    while (pos + ExtHeader.SIZE <= length) {
      int size = ExtHeader.SIZE_FIELD.get(buffer, pos);
      int type = ExtHeader.TYPE.get(buffer, pos);
      if (size < ExtHeader.SIZE) {
        return -1;
      }
      long groups = pos + ExtHeader.SIZE;
      if (type == Kernel.EXT_GROUPS && size >= ExtHeader.SIZE + SuppGroups.GROUPS + Integer.BYTES) {
        int count = SuppGroups.NR_GROUPS.get(buffer, groups);
        if (count > 0) {
          return buffer.get(JAVA_INT_UNALIGNED, groups + SuppGroups.GROUPS);
        }
      }
      pos += size;
    }
    return -1;
  }
}
