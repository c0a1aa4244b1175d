package dev.lambdacntr.cntrfs;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import dev.lambdacntr.cntrfs.fuse.Kernel;
import java.lang.foreign.MemorySegment;

/**
 * One request read from the FUSE device, viewed in place: the header fields and the operation's
 * arguments, which start right after the 40-byte header. Names are NUL-terminated and are passed to
 * system calls without a copy.
 */
final class Request {
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
    return buffer.get(JAVA_INT_UNALIGNED, 4);
  }

  long unique() {
    return buffer.get(JAVA_LONG_UNALIGNED, 8);
  }

  long nodeId() {
    return buffer.get(JAVA_LONG_UNALIGNED, 16);
  }

  int uid() {
    return buffer.get(JAVA_INT_UNALIGNED, 24);
  }

  int gid() {
    return buffer.get(JAVA_INT_UNALIGNED, 28);
  }

  int pid() {
    return buffer.get(JAVA_INT_UNALIGNED, 32);
  }

  /** Bytes of extensions at the end of the request. */
  int extensionLength() {
    return (buffer.get(JAVA_SHORT_UNALIGNED, 36) & 0xffff) * 8;
  }

  /** Where the operation's arguments end (and the extensions begin). */
  int argsEnd() {
    return length - extensionLength();
  }

  int i32(int argOffset) {
    return buffer.get(JAVA_INT_UNALIGNED, Kernel.IN_HEADER + argOffset);
  }

  long i64(int argOffset) {
    return buffer.get(JAVA_LONG_UNALIGNED, Kernel.IN_HEADER + argOffset);
  }

  /** The argument bytes from {@code argOffset}, for data and names. */
  MemorySegment at(int argOffset) {
    return buffer.asSlice(Kernel.IN_HEADER + argOffset, argsEnd() - Kernel.IN_HEADER - argOffset);
  }

  /** The argument bytes from {@code argOffset}, {@code size} long. */
  MemorySegment at(int argOffset, long size) {
    return buffer.asSlice(Kernel.IN_HEADER + argOffset, size);
  }

  /** The offset just past the NUL that ends the name starting at {@code argOffset}. */
  int afterName(int argOffset) {
    int end = argsEnd();
    for (int i = Kernel.IN_HEADER + argOffset; i < end; i++) {
      if (buffer.get(JAVA_BYTE, i) == 0) {
        return i + 1 - Kernel.IN_HEADER;
      }
    }
    return end - Kernel.IN_HEADER;
  }

  /**
   * The supplementary group the kernel sends with a creation (FUSE_CREATE_SUPP_GROUP): the
   * directory's group when the caller belongs to it, or -1 when there is none.
   */
  int supplementaryGroup() {
    int pos = argsEnd();
    while (pos + 8 <= length) {
      int size = buffer.get(JAVA_INT_UNALIGNED, pos);
      int type = buffer.get(JAVA_INT_UNALIGNED, pos + 4);
      if (size < 8) {
        return -1;
      }
      if (type == Kernel.EXT_GROUPS && size >= 16) {
        int count = buffer.get(JAVA_INT_UNALIGNED, pos + 8);
        if (count > 0) {
          return buffer.get(JAVA_INT_UNALIGNED, pos + 12);
        }
      }
      pos += size;
    }
    return -1;
  }
}
