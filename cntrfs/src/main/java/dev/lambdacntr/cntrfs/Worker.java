package dev.lambdacntr.cntrfs;

import dev.lambdacntr.cntrfs.fuse.FuseLayouts.OutHeader;
import dev.lambdacntr.cntrfs.fuse.Opcode;
import dev.lambdacntr.sys.Errno;
import dev.lambdacntr.sys.Fcntl;
import dev.lambdacntr.sys.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One serving thread: reads a request from its FUSE device descriptor, runs the operation and
 * writes the reply, until the connection ends. Everything it touches per request lives in buffers
 * it owns, so threads share nothing but the inode table.
 */
final class Worker implements Runnable {
  private final FuseSession session;
  private final Operations ops;
  private final int deviceFd;
  private final Arena arena = Arena.ofShared();
  private final MemorySegment input;
  final Request request;
  final Reply reply;
  final Scratch scratch;
  final Credentials credentials;

  Worker(FuseSession session, Operations ops, int deviceFd, int bufferSize) {
    this.session = session;
    this.ops = ops;
    this.deviceFd = deviceFd;
    this.input = arena.allocate(bufferSize, 4096);
    this.request = new Request(input);
    this.reply = new Reply(arena.allocate(bufferSize, 4096));
    this.scratch = new Scratch(arena);
    this.credentials = new Credentials(arena);
  }

  int deviceFd() {
    return deviceFd;
  }

  @Override
  public void run() {
    // A private fs context: umask 0 (the kernel has applied the caller's umask already) that no
    // other thread of this process can change, and that nobody's setns can move.
    if (Libc.unshare(Fcntl.CLONE_FS) == 0) {
      Libc.umask(0);
    }
    try {
      serve();
    } catch (Throwable t) {
      session.fail(t);
    } finally {
      arena.close();
      session.threadExited();
    }
  }

  private void serve() {
    MemorySegment in = input;
    while (!session.stopping()) {
      long n = Libc.read(deviceFd, in, in.byteSize());
      if (n < 0) {
        int errno = (int) -n;
        if (errno == Errno.EINTR || errno == Errno.EAGAIN || errno == Errno.ENOENT) {
          continue;
        }
        session.ended(errno);
        return;
      }
      request.reset((int) n);
      handle();
    }
  }

  private void handle() {
    int opcode = request.opcode();
    long unique = request.unique();
    int result;
    try {
      result = opcode == Opcode.INIT ? session.init(this) : ops.dispatch(opcode, this);
    } catch (RuntimeException | Error e) {
      session.log("request " + opcode + " failed: " + e);
      result = -Errno.EIO;
    } finally {
      credentials.becomeServer();
    }
    if (session.debug()) {
      session.log(
          "op "
              + opcode
              + " node "
              + request.nodeId()
              + " -> "
              + (result == Operations.NO_REPLY
                  ? "no reply"
                  : result < 0 ? Errno.name(-result) : result + " bytes"));
    }
    if (result == Operations.NO_REPLY) {
      return;
    }
    if (opcode == Opcode.DESTROY) {
      session.destroyed();
    }
    send(result < 0 ? 0 : result, result < 0 ? -result : 0, unique);
  }

  private void send(int payload, int errno, long unique) {
    reply.header(payload, errno, unique);
    long w = Libc.write(deviceFd, reply.buffer(), OutHeader.SIZE + payload);
    if (w < 0 && w != -Errno.ENOENT && session.debug()) {
      // ENOENT: the request was interrupted and the kernel no longer waits for it.
      session.log("reply to request " + unique + " failed: " + Errno.name((int) -w));
    }
  }
}
