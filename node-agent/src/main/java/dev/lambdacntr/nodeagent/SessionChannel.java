package dev.lambdacntr.nodeagent;

import dev.lambdacntr.agent.Attach;
import dev.lambdacntr.agent.sys.Fd;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import dev.lambdacntr.protocol.StdinFrames;
import dev.lambdacntr.sys.Errno;
import dev.lambdacntr.sys.Libc;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One session on one WebSocket: the client's messages go to the session helper's input (framed, see
 * {@code StdinFrames}: stdin's end and the client's going stay apart), its output comes back on
 * channels 1 and 2, and its exit status ends the conversation on channel 3. The session itself is
 * the agent's {@link Attach}, run in this JVM: the session thread waits for it, one thread each
 * relays the helper's output and writes its input; nothing blocks the event loop.
 *
 * <p>The client's going (the WebSocket closed) is SIGHUP to the helper, as a launched agent gets it
 * from its runtime: the helper ends every process of the session.
 */
final class SessionChannel {
  private static final AtomicInteger SESSIONS = new AtomicInteger();
  private static final byte[] STOP = new byte[0];
  private static final int INPUT_HIGH_WATER = 64;
  private static final int INPUT_LOW_WATER = 8;
  private static final int WRITE_BUFFER = 64 * 1024;
  private static final int SIGHUP = 1;
  private static final int SIGWINCH = 28;
  private static final long OUTPUT_DRAIN_MILLIS = 10_000;

  private final int number = SESSIONS.incrementAndGet();
  private final ServerWebSocket socket;
  private final Context context;
  private final SessionRequest request;
  private final SessionStreams streams;
  private final LinkedBlockingQueue<byte[]> input = new LinkedBlockingQueue<>();
  private final Object helperLock = new Object();
  private Optional<Fd> helper = Optional.empty(); // its pidfd, while it runs
  private boolean agentSideClosed;
  private boolean paused; // on the event loop only
  private volatile boolean clientGone;

  private SessionChannel(
      ServerWebSocket socket, Context context, SessionRequest request, SessionStreams streams) {
    this.socket = socket;
    this.context = context;
    this.request = request;
    this.streams = streams;
  }

  /** Serves {@code request} on {@code socket} (on the event loop; returns at once). */
  static void start(
      ServerWebSocket socket,
      Context context,
      SessionRequest request,
      Attach attach,
      Optional<String> toolsRoot) {
    SessionStreams streams;
    try {
      streams = SessionStreams.open(request.tty());
    } catch (CntrException e) {
      refuse(socket, e);
      return;
    }
    new SessionChannel(socket, context, request, streams).begin(attach, toolsRoot);
  }

  /** Ends a session that could not begin: the message on stderr, the agent's status. */
  static void refuse(ServerWebSocket socket, CntrException e) {
    byte[] message = ("lambda-cntr: " + e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8);
    socket
        .writeBinaryMessage(
            Buffer.buffer(ClientMessage.encode(ClientMessage.STDERR, message, message.length)))
        .compose(v -> socket.writeBinaryMessage(status(e.exitCode().code(), List.of())))
        .onComplete(v -> socket.close());
  }

  private void begin(Attach attach, Optional<String> toolsRoot) {
    socket.binaryMessageHandler(message -> fromClient(message.getBytes()));
    socket.closeHandler(v -> clientGone());
    socket.exceptionHandler(e -> clientGone());
    List<Thread> relays = new ArrayList<>();
    relays.add(platform("output", () -> relay(streams.output(), ClientMessage.STDOUT)));
    relays.add(platform("errors", () -> relay(streams.errors(), ClientMessage.STDERR)));
    Thread writer = platform("input", this::writeInput);
    platform("session", () -> run(attach, toolsRoot, relays, writer));
  }

  private Thread platform(String role, Runnable task) {
    return Thread.ofPlatform().name("session-" + number + "-" + role).start(task);
  }

  private void run(Attach attach, Optional<String> toolsRoot, List<Thread> relays, Thread writer) {
    long start = System.nanoTime();
    int status;
    Optional<String> failure = Optional.empty();
    try {
      status =
          attach.run(
              request.toInvocation(toolsRoot), Optional.of(streams.forHelper(this::started)));
    } catch (CntrException e) {
      failure = Optional.of(e.getMessage());
      status = e.exitCode().code();
    } catch (RuntimeException | LinkageError e) {
      failure = Optional.of("internal error in the node agent: " + e);
      status = ExitCode.AGENT_INTERNAL.code();
    } finally {
      synchronized (helperLock) {
        helper.ifPresent(Fd::close);
        helper = Optional.empty();
      }
      streams.closeHelperSide();
    }
    boolean drained = joinAll(relays);
    input.add(STOP);
    drained &= joinAll(List.of(writer));
    synchronized (helperLock) {
      agentSideClosed = true;
      if (drained) {
        streams.closeAgentSide(); // else a relay still uses them: left open rather than reused
      }
    }
    failure.ifPresent(message -> send(ClientMessage.STDERR, "lambda-cntr: " + message + "\n"));
    NodeAgentMain.log(
        "session "
            + number
            + " (container "
            + request.containerId()
            + ", pod "
            + request.podUid()
            + ") ended with "
            + status
            + " after "
            + (System.nanoTime() - start) / 1_000_000
            + " ms"
            + (clientGone ? ", its client gone" : "")
            + failure.map(m -> ": " + m).orElse(""));
    if (!clientGone) {
      socket.writeBinaryMessage(status(status, request.command())).onComplete(v -> socket.close());
    }
  }

  /**
   * The helper runs (called on the entering thread, before it waits for the helper, so this must
   * not throw): from now on it can be told things.
   */
  private void started(int pid) {
    synchronized (helperLock) {
      int fd = Libc.pidfdOpen(pid, 0);
      if (fd < 0) {
        NodeAgentMain.log(
            "session "
                + number
                + ": cannot open a pidfd of its helper "
                + pid
                + ": "
                + Errno.name(-fd)
                + " (window sizes and the client's end do not reach it)");
        return;
      }
      Fd pidfd = new Fd(fd);
      helper = Optional.of(pidfd);
      if (clientGone) {
        Libc.pidfdSendSignal(pidfd.value(), SIGHUP);
      } else if (streams.terminal().isPresent()) {
        Libc.pidfdSendSignal(pidfd.value(), SIGWINCH); // a size set between start and now
      }
    }
  }

  private void clientGone() {
    if (clientGone) {
      return;
    }
    clientGone = true;
    synchronized (helperLock) {
      helper.ifPresent(pidfd -> Libc.pidfdSendSignal(pidfd.value(), SIGHUP));
    }
  }

  /** On the event loop. */
  private void fromClient(byte[] message) {
    switch (ClientMessage.decode(message)) {
      case ClientMessage.Input(byte[] data) -> {
        if (data.length > 0) {
          queue(StdinFrames.frame(data, 0, data.length));
        }
      }
      case ClientMessage.InputEnd() -> queue(StdinFrames.end());
      case ClientMessage.Resize(int width, int height) -> resize(width, height);
      case ClientMessage.Ignored(String why) ->
          NodeAgentMain.log("session " + number + ": ignored " + why);
    }
  }

  private void queue(byte[] frame) {
    input.add(frame);
    if (!paused && input.size() >= INPUT_HIGH_WATER) {
      paused = true;
      socket.pause();
    }
  }

  private void resize(int width, int height) {
    synchronized (helperLock) {
      if (agentSideClosed || streams.terminal().isEmpty()) {
        return;
      }
      AgentTerminal.resize(streams.terminal().get().value(), width, height);
      helper.ifPresent(pidfd -> Libc.pidfdSendSignal(pidfd.value(), SIGWINCH));
    }
  }

  /** The input thread: frames to the helper's stdin until the session ends. */
  private void writeInput() {
    boolean open = true;
    // one buffer for the whole session: a segment per frame from a session-long arena was freed
    // only at the session's end, so 1 GiB of stdin took 1 GiB of native memory (the node agent was
    // OOM-killed at its 512 MiB limit by lambda-cntr cp)
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment buffer = arena.allocate(WRITE_BUFFER);
      for (; ; ) {
        byte[] frame = input.take();
        if (frame == STOP) {
          return;
        }
        if (input.size() <= INPUT_LOW_WATER) {
          context.runOnContext(v -> resumeInput());
        }
        if (open) {
          open = writeAll(buffer, streams.input().value(), frame);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void resumeInput() {
    if (paused) {
      paused = false;
      socket.resume();
    }
  }

  /**
   * Whether all of it went; false once the helper's input is gone (EPIPE, or EIO on a terminal).
   */
  private static boolean writeAll(MemorySegment buffer, int fd, byte[] data) {
    int sent = 0;
    while (sent < data.length) {
      int length = (int) Math.min(buffer.byteSize(), data.length - sent);
      MemorySegment.copy(data, sent, buffer, ValueLayout.JAVA_BYTE, 0, length);
      long done = 0;
      while (done < length) {
        long n = Libc.write(fd, buffer.asSlice(done), length - done);
        if (n == -Errno.EINTR) {
          continue;
        }
        if (n <= 0) {
          return false;
        }
        done += n;
      }
      sent += length;
    }
    return true;
  }

  /** An output thread: what the helper writes to {@code fd}, until its end, on {@code channel}. */
  private void relay(Fd fd, byte channel) {
    byte[] chunk = new byte[32 * 1024];
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment buffer = arena.allocate(chunk.length);
      for (; ; ) {
        long n = Libc.read(fd.value(), buffer, chunk.length);
        if (n == -Errno.EINTR) {
          continue;
        }
        if (n <= 0) {
          return; // end of file, or EIO: the terminal's every slave is closed
        }
        MemorySegment.copy(buffer, ValueLayout.JAVA_BYTE, 0, chunk, 0, (int) n);
        if (!clientGone) {
          sendAndWait(ClientMessage.encode(channel, chunk, (int) n));
        }
      }
    }
  }

  /** Writes one message and waits until it is written: the session cannot outrun its client. */
  private void sendAndWait(byte[] message) {
    try {
      socket
          .writeBinaryMessage(Buffer.buffer(message))
          .toCompletionStage()
          .toCompletableFuture()
          .join();
    } catch (CompletionException e) {
      clientGone();
    }
  }

  private void send(byte channel, String text) {
    if (!clientGone) {
      byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
      sendAndWait(ClientMessage.encode(channel, bytes, bytes.length));
    }
  }

  private static Buffer status(int exitStatus, List<String> command) {
    byte[] json = ExecStatus.of(exitStatus, command.toString()).getBytes(StandardCharsets.UTF_8);
    return Buffer.buffer(ClientMessage.encode(ClientMessage.STATUS, json, json.length));
  }

  /** Whether each thread ended within the drain time. */
  private boolean joinAll(List<Thread> threads) {
    boolean all = true;
    long deadline = System.currentTimeMillis() + OUTPUT_DRAIN_MILLIS;
    for (Thread thread : threads) {
      try {
        thread.join(Math.max(1, deadline - System.currentTimeMillis()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
      if (thread.isAlive()) {
        NodeAgentMain.log(
            "session " + number + ": " + thread.getName() + " still busy, not waited for");
        all = false;
      }
    }
    return all;
  }
}
