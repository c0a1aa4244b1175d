package dev.lambdacntr.bench.fs;

import dev.lambdacntr.cntrfs.sys.Fcntl;
import dev.lambdacntr.cntrfs.sys.Libc;
import dev.lambdacntr.cntrfs.sys.Stat;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * 10,000 small files in 100 directories: created, stat'ed or deleted, one phase per workload.
 * Straight system calls (no java.nio layers), so the figure is the file system's.
 */
record MetadataTree(Phase phase) implements Workload {
  enum Phase {
    CREATE,
    STAT,
    DELETE
  }

  private static final int DIRS = 100;
  private static final int FILES = 100;

  @Override
  public String name() {
    return switch (phase) {
      case CREATE -> "create 10,000 small files (100 dirs)";
      case STAT -> "stat 10,000 small files";
      case DELETE -> "delete 10,000 small files and their dirs";
    };
  }

  @Override
  public String unit() {
    return "s";
  }

  @Override
  public boolean higherIsBetter() {
    return false;
  }

  @Override
  public double thesis() {
    return 28.6; // Compilebench, the thesis's metadata-heavy figure
  }

  @Override
  public double target() {
    return 3.0;
  }

  @Override
  public void prepare(Path dir) throws Exception {
    Shell.sh(dir, "rm -rf tree");
    if (phase != Phase.CREATE) {
      create(dir);
    }
  }

  @Override
  public double run(Path dir) throws Exception {
    long start = System.nanoTime();
    switch (phase) {
      case CREATE -> create(dir);
      case STAT -> stat(dir);
      case DELETE -> delete(dir);
    }
    return (System.nanoTime() - start) / 1e9;
  }

  @Override
  public void cleanUp(Path dir) throws Exception {
    Shell.sh(dir, "rm -rf tree");
  }

  private static void create(Path dir) throws IOException {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment data = a.allocate(1024);
      data.fill((byte) 'x');
      check("mkdir tree", Libc.mkdirat(Fcntl.AT_FDCWD, a.allocateFrom(dir + "/tree"), 0755));
      for (int d = 0; d < DIRS; d++) {
        check("mkdir", Libc.mkdirat(Fcntl.AT_FDCWD, a.allocateFrom(dir + "/tree/d" + d), 0755));
        for (int f = 0; f < FILES; f++) {
          MemorySegment path = a.allocateFrom(dir + "/tree/d" + d + "/f" + f);
          int fd =
              check(
                  "create",
                  Libc.openat(
                      Fcntl.AT_FDCWD,
                      path,
                      Fcntl.O_CREAT | Fcntl.O_WRONLY | Fcntl.O_EXCL | Fcntl.O_CLOEXEC,
                      0644));
          check("write", (int) Libc.write(fd, data, 1024));
          check("close", Libc.close(fd));
        }
      }
    }
  }

  private static void stat(Path dir) throws IOException {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment st = a.allocate(Stat.SIZE, 8);
      for (int d = 0; d < DIRS; d++) {
        for (int f = 0; f < FILES; f++) {
          MemorySegment path = a.allocateFrom(dir + "/tree/d" + d + "/f" + f);
          check("stat", Libc.fstatat(Fcntl.AT_FDCWD, path, st, 0));
          if (Stat.size(st) != 1024) {
            throw new IOException(path.getString(0) + " has size " + Stat.size(st));
          }
        }
      }
    }
  }

  private static void delete(Path dir) throws IOException {
    try (Arena a = Arena.ofConfined()) {
      for (int d = 0; d < DIRS; d++) {
        for (int f = 0; f < FILES; f++) {
          check(
              "unlink",
              Libc.unlinkat(Fcntl.AT_FDCWD, a.allocateFrom(dir + "/tree/d" + d + "/f" + f), 0));
        }
        check(
            "rmdir",
            Libc.unlinkat(Fcntl.AT_FDCWD, a.allocateFrom(dir + "/tree/d" + d), Fcntl.AT_REMOVEDIR));
      }
      check(
          "rmdir",
          Libc.unlinkat(Fcntl.AT_FDCWD, a.allocateFrom(dir + "/tree"), Fcntl.AT_REMOVEDIR));
    }
  }

  private static int check(String what, int r) throws IOException {
    if (r < 0) {
      throw new IOException(what + " failed: " + dev.lambdacntr.cntrfs.sys.Errno.name(-r));
    }
    return r;
  }
}
