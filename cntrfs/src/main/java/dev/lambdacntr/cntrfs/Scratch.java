package dev.lambdacntr.cntrfs;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import dev.lambdacntr.sys.Stat;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** Native buffers one serving thread reuses for every request. */
final class Scratch {
  final MemorySegment stat;
  final MemorySegment stat2;
  final MemorySegment empty;
  final MemorySegment fdName;
  final MemorySegment times;
  final MemorySegment cells;
  final MemorySegment path;
  final MemorySegment directory;

  Scratch(Arena arena) {
    stat = arena.allocate(Stat.SIZE, 8);
    stat2 = arena.allocate(Stat.SIZE, 8);
    empty = arena.allocate(1);
    fdName = arena.allocate(32);
    times = arena.allocate(32, 8);
    cells = arena.allocate(32, 8);
    path = arena.allocate(64);
    directory = arena.allocate(DirectoryHandle.BUFFER, 8);
  }

  /** {@code fd} as a NUL-terminated decimal name, for lookups in /proc/self/fd. */
  MemorySegment fdName(int fd) {
    return decimal(fdName, 0, fd);
  }

  /** {@code "/proc/self/fd/N"}, for the calls that only take a path. */
  MemorySegment procPath(int fd) {
    String prefix = "/proc/self/fd/";
    for (int i = 0; i < prefix.length(); i++) {
      path.set(JAVA_BYTE, i, (byte) prefix.charAt(i));
    }
    return decimal(path, prefix.length(), fd);
  }

  private static MemorySegment decimal(MemorySegment into, int start, int value) {
    String digits = Integer.toString(value);
    for (int i = 0; i < digits.length(); i++) {
      into.set(JAVA_BYTE, start + i, (byte) digits.charAt(i));
    }
    into.set(JAVA_BYTE, start + digits.length(), (byte) 0);
    return into;
  }
}
