package dev.lambdacntr.cli.standby;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;

/**
 * The libc calls a standby process needs and the JDK does not offer: a listening Unix socket that
 * names its peer's process ({@code SO_PEERCRED}; the JDK's gives user and group, not the PID),
 * {@code open} with {@code O_NOCTTY}, {@code dup2} onto 0-2, {@code setsid}, {@code kill} and
 * {@code getuid}. Linux on x86-64 and arm64 (the structures below have the same layout on both).
 *
 * <p>Bound to libc's functions by name, not through linux-sys's {@code syscall(2)} numbers as the
 * agent's calls are: those are x86-64's, and the CLI runs on any Linux the JDK runs on. The
 * invocation's side of a hand-over makes none of these calls (see {@link StandbyHandOver}); only
 * the standby does, whose links are made while it waits.
 */
@SuppressWarnings("restricted")
final class UnixCalls {

  static final int O_ACCMODE = 3;
  static final int O_APPEND = 02000;
  static final int SIGHUP = 1;

  private static final int AF_UNIX = 1;
  private static final int SOCK_STREAM = 1;
  private static final int SOCK_CLOEXEC = 0x80000;
  private static final int O_NOCTTY = 0400;
  private static final int O_CLOEXEC = 02000000;
  private static final int SOL_SOCKET = 1;
  private static final int SO_PEERCRED = 17;
  private static final int MSG_NOSIGNAL = 0x4000;
  private static final int POLLIN = 1;
  private static final int EINTR = 4;
  private static final long SOCKADDR_UN_BYTES = 110; // sa_family_t + char sun_path[108]

  private static final Linker LINKER = Linker.nativeLinker();
  private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO =
      CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
  private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
  private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
  private static final java.lang.foreign.AddressLayout ADDRESS = ValueLayout.ADDRESS;

  private static final MethodHandle SOCKET = call("socket", INT, INT, INT, INT);
  private static final MethodHandle OPEN = call("open", INT, ADDRESS, INT);
  private static final MethodHandle BIND = call("bind", INT, INT, ADDRESS, INT);
  private static final MethodHandle LISTEN = call("listen", INT, INT, INT);
  private static final MethodHandle ACCEPT4 = call("accept4", INT, INT, ADDRESS, ADDRESS, INT);
  private static final MethodHandle GETSOCKOPT =
      call("getsockopt", INT, INT, INT, INT, ADDRESS, ADDRESS);
  private static final MethodHandle SEND = call("send", LONG, INT, ADDRESS, LONG, INT);
  private static final MethodHandle READ = call("read", LONG, INT, ADDRESS, LONG);
  private static final MethodHandle POLL = call("poll", INT, ADDRESS, LONG, INT);
  private static final MethodHandle CLOSE = call("close", INT, INT);
  private static final MethodHandle DUP2 = call("dup2", INT, INT, INT);
  private static final MethodHandle KILL = call("kill", INT, INT, INT);
  private static final MethodHandle SETSID = call("setsid", INT);
  private static final MethodHandle GETUID = call("getuid", INT);
  private static final MethodHandle STRERROR =
      LINKER.downcallHandle(
          LINKER.defaultLookup().find("strerror").orElseThrow(),
          FunctionDescriptor.of(ADDRESS, INT));

  private UnixCalls() {}

  /** The peer of a connected Unix socket, as the kernel recorded it at connect or listen. */
  record Peer(int pid, int uid) {}

  /** A Unix socket bound to {@code path} and listening, with a backlog of {@code backlog}. */
  static int listen(String path, int backlog) throws IOException {
    int fd = socket();
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(CALL_STATE);
      if ((int) BIND.invokeExact(state, fd, address(arena, path), (int) SOCKADDR_UN_BYTES) != 0) {
        int errno = errno(state);
        close(fd);
        throw failure("bind a Unix socket to " + path, errno);
      }
      if ((int) LISTEN.invokeExact(state, fd, backlog) != 0) {
        int errno = errno(state);
        close(fd);
        throw failure("listen on " + path, errno);
      }
      return fd;
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /** Waits up to {@code millis} for a connection on {@code fd}: whether one is there. */
  static boolean readable(int fd, int millis) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment pollfd = arena.allocate(8);
      pollfd.set(INT, 0, fd);
      pollfd.set(ValueLayout.JAVA_SHORT, 4, (short) POLLIN);
      MemorySegment state = arena.allocate(CALL_STATE);
      int rc = (int) POLL.invokeExact(state, pollfd, 1L, millis);
      if (rc < 0) {
        int errno = errno(state);
        if (errno == EINTR) {
          return false;
        }
        throw failure("poll fd " + fd, errno);
      }
      return rc > 0;
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /** The next connection on the listening {@code fd}, close-on-exec. */
  static int accept(int fd) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(CALL_STATE);
      int conn =
          (int)
              ACCEPT4.invokeExact(state, fd, MemorySegment.NULL, MemorySegment.NULL, SOCK_CLOEXEC);
      if (conn < 0) {
        throw failure("accept on fd " + fd, errno(state));
      }
      return conn;
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /** The process at the other end of the connected socket {@code fd}. */
  static Peer peer(int fd) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment ucred = arena.allocate(12); // pid_t pid, uid_t uid, gid_t gid
      MemorySegment length = arena.allocate(INT);
      length.set(INT, 0, 12);
      MemorySegment state = arena.allocate(CALL_STATE);
      if ((int) GETSOCKOPT.invokeExact(state, fd, SOL_SOCKET, SO_PEERCRED, ucred, length) != 0) {
        throw failure("read the peer of fd " + fd + " (SO_PEERCRED)", errno(state));
      }
      return new Peer(ucred.get(INT, 0), ucred.get(INT, 4));
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /** Sends all of {@code data} on the socket {@code fd} (no SIGPIPE: a gone peer is EPIPE). */
  static void send(int fd, byte[] data) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment buffer = arena.allocateFrom(ValueLayout.JAVA_BYTE, data);
      MemorySegment state = arena.allocate(CALL_STATE);
      long offset = 0;
      while (offset < data.length) {
        long sent =
            (long)
                SEND.invokeExact(
                    state, fd, buffer.asSlice(offset), data.length - offset, MSG_NOSIGNAL);
        if (sent < 0) {
          int errno = errno(state);
          if (errno == EINTR) {
            continue;
          }
          throw failure("send on fd " + fd, errno);
        }
        offset += sent;
      }
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads up to {@code into.length} bytes from {@code fd}: how many, 0 at its end. */
  static int read(int fd, byte[] into) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment buffer = arena.allocate(into.length);
      MemorySegment state = arena.allocate(CALL_STATE);
      while (true) {
        long got = (long) READ.invokeExact(state, fd, buffer, (long) into.length);
        if (got >= 0) {
          MemorySegment.copy(buffer, ValueLayout.JAVA_BYTE, 0, into, 0, (int) got);
          return (int) got;
        }
        int errno = errno(state);
        if (errno != EINTR) {
          throw failure("read fd " + fd, errno);
        }
      }
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads exactly {@code into.length} bytes; false at an end before the first byte. */
  static boolean readFully(int fd, byte[] into) throws IOException {
    int done = 0;
    while (done < into.length) {
      byte[] part = new byte[into.length - done];
      int got = read(fd, part);
      if (got == 0) {
        if (done == 0) {
          return false;
        }
        throw new IOException(
            "fd " + fd + " ended after " + done + " of " + into.length + " bytes");
      }
      System.arraycopy(part, 0, into, done, got);
      done += got;
    }
    return true;
  }

  /** Opens {@code path} with {@code flags}, close-on-exec and never as a controlling terminal. */
  static int open(String path, int flags) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(CALL_STATE);
      int fd =
          (int) OPEN.invokeExact(state, arena.allocateFrom(path), flags | O_NOCTTY | O_CLOEXEC);
      if (fd < 0) {
        throw failure("open " + path, errno(state));
      }
      return fd;
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /** Puts {@code from} at descriptor {@code to} (dup2). */
  static void dup2(int from, int to) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(CALL_STATE);
      if ((int) DUP2.invokeExact(state, from, to) < 0) {
        throw failure("dup2 fd " + from + " onto " + to, errno(state));
      }
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /** Sends {@code signal} to process {@code pid}; whether it was sent. */
  static boolean kill(int pid, int signal) {
    try (Arena arena = Arena.ofConfined()) {
      return (int) KILL.invokeExact(arena.allocate(CALL_STATE), pid, signal) == 0;
    } catch (Throwable e) {
      return false;
    }
  }

  /** Makes this process the leader of a new session with no controlling terminal. */
  static void setsid() throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(CALL_STATE);
      if ((int) SETSID.invokeExact(state) < 0) {
        throw failure("setsid", errno(state));
      }
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /** This process's real user ID. */
  static int uid() {
    try (Arena arena = Arena.ofConfined()) {
      return (int) GETUID.invokeExact(arena.allocate(CALL_STATE));
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /** Closes {@code fd}, ignoring errors (it is gone either way). */
  static void close(int fd) {
    try (Arena arena = Arena.ofConfined()) {
      int ignored = (int) CLOSE.invokeExact(arena.allocate(CALL_STATE), fd);
    } catch (Throwable e) {
      // the descriptor is released by the kernel even when close reports an error
    }
  }

  private static int socket() throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(CALL_STATE);
      int fd = (int) SOCKET.invokeExact(state, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (fd < 0) {
        throw failure("create a Unix socket", errno(state));
      }
      return fd;
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  private static MemorySegment address(Arena arena, String path) {
    MemorySegment address = arena.allocate(SOCKADDR_UN_BYTES);
    address.set(ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
    byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
    if (bytes.length >= StandbyPlace.SUN_PATH_BYTES) {
      throw new IllegalArgumentException("Unix socket path too long: " + path);
    }
    MemorySegment.copy(bytes, 0, address, ValueLayout.JAVA_BYTE, 2, bytes.length);
    return address;
  }

  private static int errno(MemorySegment state) {
    return (int) ERRNO.get(state, 0L);
  }

  private static IOException failure(String operation, int errno) {
    String text;
    try {
      text = ((MemorySegment) STRERROR.invokeExact(errno)).reinterpret(256).getString(0);
    } catch (Throwable e) {
      text = "errno " + errno;
    }
    return new IOException("cannot " + operation + ": " + text + " (errno " + errno + ")");
  }

  private static MethodHandle call(String name, ValueLayout result, ValueLayout... arguments) {
    return LINKER.downcallHandle(
        LINKER.defaultLookup().find(name).orElseThrow(),
        FunctionDescriptor.of(result, arguments),
        Linker.Option.captureCallState("errno"));
  }
}
