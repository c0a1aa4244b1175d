package dev.lambdacntr.sys;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real system calls of this process: results, and failures as negated errnos. */
class LibcTest {
  @TempDir Path dir;

  @Test
  void aFailedCallReturnsItsNegatedErrno() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment missing = Libc.cstr(arena, dir.resolve("missing").toString());
      assertThat(Libc.openat(Fcntl.AT_FDCWD, missing, Fcntl.O_RDONLY, 0)).isEqualTo(-Errno.ENOENT);
    }
    assertThat(Libc.close(-1)).isEqualTo(-Errno.EBADF);
    assertThat(Libc.fchdir(-1)).isEqualTo(-Errno.EBADF);
    assertThat(Libc.setns(-1, 0)).isEqualTo(-Errno.EBADF);
  }

  @Test
  void readsWritesAndDuplicatesDescriptors() throws IOException {
    Path file = dir.resolve("file");
    try (Arena arena = Arena.ofConfined()) {
      int fd =
          Libc.openat(
              Fcntl.AT_FDCWD,
              Libc.cstr(arena, file.toString()),
              Fcntl.O_RDWR | Fcntl.O_CREAT | Fcntl.O_CLOEXEC,
              0600);
      assertThat(fd).isNotNegative();
      MemorySegment text = arena.allocateFrom("hello", StandardCharsets.US_ASCII);
      assertThat(Libc.write(fd, text, 5)).isEqualTo(5);
      int copy = Libc.dup(fd);
      assertThat(copy).isNotNegative().isNotEqualTo(fd);
      MemorySegment buffer = arena.allocate(8);
      assertThat(Libc.pread(copy, buffer, 8, 1)).isEqualTo(4);
      assertThat(buffer.getString(0, StandardCharsets.US_ASCII)).isEqualTo("ello");
      MemorySegment stat = arena.allocate(Stat.SIZE);
      assertThat(Libc.fstatat(fd, Libc.cstr(arena, ""), stat, Fcntl.AT_EMPTY_PATH)).isZero();
      assertThat(Stat.size(stat)).isEqualTo(5);
      assertThat(Fcntl.isRegular(Stat.mode(stat))).isTrue();
      assertThat(Libc.close(copy)).isZero();
      assertThat(Libc.close(fd)).isZero();
    }
    assertThat(Files.readString(file)).isEqualTo("hello");
  }

  @Test
  void processCallsAnswer() {
    assertThat(Libc.getpid()).isEqualTo((int) ProcessHandle.current().pid());
    assertThat(Libc.gettid()).isPositive();
    assertThat(Libc.kill(Libc.getpid(), 0)).isZero();
    assertThat(Libc.isatty(-1)).isFalse();
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment status = arena.allocate(JAVA_INT);
      assertThat(Libc.waitpid(Libc.getpid(), status, 0)).isEqualTo(-Errno.ECHILD);
    }
  }

  @Test
  void theMountApiReportsItsErrnos() {
    try (Arena arena = Arena.ofConfined()) {
      // size 0: EINVAL before any permission check on a kernel that has the call
      int r = Mounts.mountSetattr(-1, Libc.cstr(arena, ""), 0, MemorySegment.NULL, 0);
      assertThat(r).isIn(-Errno.EINVAL, -Errno.ENOSYS, -Errno.EPERM);
      int fd = Mounts.openTree(Fcntl.AT_FDCWD, Libc.cstr(arena, "/"), Fcntl.O_CLOEXEC);
      if (fd >= 0) {
        assertThat(Libc.close(fd)).isZero();
      } else {
        assertThat(fd).isIn(-Errno.ENOSYS, -Errno.EPERM);
      }
    }
  }
}
