package dev.lambdacntr.cntrfs;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import dev.lambdacntr.sys.Fcntl;
import dev.lambdacntr.sys.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * An open directory: its descriptor and the entries read from it with getdents64 but not yet handed
 * to the kernel. Positions are the d_off cookies of the source file system, so a READDIR at any
 * offset the kernel saw before resumes exactly there.
 */
final class DirectoryHandle {
  static final int BUFFER = 32 * 1024;

  final int fd;
  private final Arena arena;
  private final MemorySegment buffer;
  private int pos;
  private int end;
  private long position;
  private boolean eof;

  /** A handle for an OPENDIR, with a buffer of its own that lives until the RELEASEDIR. */
  @SuppressWarnings("MustBeClosedChecker") // the arena is closed by close(), at the RELEASEDIR
  DirectoryHandle(int fd) {
    this.fd = fd;
    this.arena = Arena.ofShared();
    this.buffer = arena.allocate(BUFFER, 8);
  }

  /** A handle for one READDIR, reading into a serving thread's {@code buffer}. */
  private DirectoryHandle(int fd, MemorySegment buffer) {
    this.fd = fd;
    this.arena = null;
    this.buffer = buffer;
  }

  static DirectoryHandle forOneRequest(int fd, MemorySegment buffer) {
    return new DirectoryHandle(fd, buffer);
  }

  /** Moves to {@code offset} unless already there; returns 0 or a negated errno. */
  int seek(long offset) {
    if (offset == position) {
      return 0;
    }
    long r = Libc.lseek(fd, offset, Fcntl.SEEK_SET);
    if (r < 0) {
      return (int) r;
    }
    position = offset;
    pos = end = 0;
    eof = false;
    return 0;
  }

  /** Makes sure an entry is buffered; returns 1 if one is, 0 at the end, or a negated errno. */
  int fill() {
    if (pos < end) {
      return 1;
    }
    if (eof) {
      return 0;
    }
    long n = Libc.getdents64(fd, buffer, BUFFER);
    if (n < 0) {
      return (int) n;
    }
    pos = 0;
    end = (int) n;
    if (n == 0) {
      eof = true;
      return 0;
    }
    return 1;
  }

  long entryIno() {
    return buffer.get(JAVA_LONG_UNALIGNED, pos);
  }

  long entryNextOffset() {
    return buffer.get(JAVA_LONG_UNALIGNED, pos + 8);
  }

  int entryType() {
    return buffer.get(JAVA_BYTE, pos + 18) & 0xff;
  }

  /** The entry's NUL-terminated name, in place. */
  MemorySegment entryName() {
    int reclen = buffer.get(JAVA_SHORT_UNALIGNED, pos + 16) & 0xffff;
    return buffer.asSlice(pos + 19, reclen - 19);
  }

  int entryNameLength() {
    MemorySegment name = entryName();
    int n = 0;
    while (n < name.byteSize() && name.get(JAVA_BYTE, n) != 0) {
      n++;
    }
    return n;
  }

  boolean entryIsDotOrDotDot() {
    MemorySegment name = entryName();
    byte a = name.get(JAVA_BYTE, 0);
    if (a != '.') {
      return false;
    }
    byte b = name.get(JAVA_BYTE, 1);
    return b == 0 || (b == '.' && name.get(JAVA_BYTE, 2) == 0);
  }

  /** Consumes the current entry. */
  void advance() {
    position = entryNextOffset();
    pos += buffer.get(JAVA_SHORT_UNALIGNED, pos + 16) & 0xffff;
  }

  void close() {
    Libc.close(fd);
    if (arena != null) {
      arena.close();
    }
  }
}
