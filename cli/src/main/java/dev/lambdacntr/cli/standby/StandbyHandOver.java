package dev.lambdacntr.cli.standby;

import dev.lambdacntr.protocol.ExitCode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The invocation's side of a hand-over: when a standby process for this invocation is listening
 * ({@link StandbyPlace}), its descriptors 0-2 and command line go to it, the signals it gets are
 * passed on, and it exits with the session's status. Everything else (no standby, a stale socket, a
 * standby that refuses) leaves the invocation to run the command itself, as it would without a
 * standby.
 */
public final class StandbyHandOver {

  /** The session commands a standby serves: those the launcher starts with the same JVM flags. */
  public static final Set<String> COMMANDS = Set.of("attach", "execute", "debug");

  /** Set by the launcher ({@code on}) unless {@code LAMBDA_CNTR_STANDBY=off}. */
  public static final String PROPERTY = "lambda-cntr.standby";

  /** A standby's answer: it took the session (its PID follows); only a status follows. */
  static final byte TAKEN = 'T';

  /** A standby's answer: the session's exit status follows. */
  static final byte EXIT = 'X';

  /** A standby's answer: it does not serve this invocation, which runs the command itself. */
  static final byte REFUSED = 'R';

  /** From the invocation: a signal it got, which the standby raises on itself. */
  static final byte SIGNAL = 'S';

  private static final List<String> FORWARDED = List.of("INT", "TERM", "HUP", "WINCH");

  private StandbyHandOver() {}

  /** Whether the launcher allows standby processes and {@code args} name a session command. */
  public static boolean enabled(String[] args) {
    return "on".equals(System.getProperty(PROPERTY))
        && args.length > 0
        && COMMANDS.contains(args[0]);
  }

  /**
   * The exit status of the session a standby ran for {@code args}, or empty when none did. Only a
   * standby that has taken the descriptors answers with a status; every failure before that is
   * empty. No native call here: the JDK's Unix-domain channel carries the request, and the standby
   * opens this process's descriptors 0-2 itself (linking the first native call costs a new JVM
   * 30-70 ms, more than the rest of the hand-over).
   */
  public static OptionalInt run(String[] args, long startNanos, PrintStream stderr) {
    Map<String, String> env = System.getenv();
    int uid = currentUid();
    StandbyPlace place = StandbyPlace.of(env, uid).orElse(null);
    if (place == null
        || !Files.exists(place.socket(), LinkOption.NOFOLLOW_LINKS)
        || !place.isPrivate(uid)) {
      return OptionalInt.empty();
    }
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      try {
        channel.connect(UnixDomainSocketAddress.of(place.socket()));
      } catch (IOException e) {
        // Nobody listens: a standby ended without removing its socket (SIGKILL). Removed, so that
        // this invocation leaves a new one. Should a new standby have put its socket there in the
        // meantime, it finds its socket gone at its next check and leaves.
        Files.deleteIfExists(place.socket());
        return OptionalInt.empty();
      }
      StandbyRequest request =
          new StandbyRequest(
              place.key(),
              System.getProperty("user.dir", ""),
              env,
              Arrays.asList(args),
              startNanos);
      write(channel, request.encode());
      return await(channel, stderr);
    } catch (IOException e) {
      return OptionalInt.empty();
    }
  }

  /**
   * Waits for the standby's answers, passing on INT, TERM, HUP and WINCH meanwhile (as {@link
   * #SIGNAL} and the signal's number; the standby raises it on itself). Before the standby says it
   * took the session ({@link #TAKEN}), any end of the connection means nothing ran there, and the
   * invocation runs the command itself (or, interrupted meanwhile, ends as the signal says). After
   * it, a standby that ends without a status after a passed-on signal ended by it (128 + the
   * signal, as a process the signal ends); one that ends without a status otherwise lost the
   * session, which is not run again.
   */
  private static OptionalInt await(SocketChannel channel, PrintStream stderr) {
    AtomicInteger passedOn = new AtomicInteger();
    Map<Signal, SignalHandler> previous = new HashMap<>();
    for (String name : FORWARDED) {
      Signal signal = new Signal(name);
      previous.put(
          signal,
          Signal.handle(
              signal,
              s -> {
                if (!name.equals("WINCH")) {
                  passedOn.set(s.getNumber());
                }
                try {
                  write(channel, message(SIGNAL, s.getNumber()));
                } catch (IOException e) {
                  // the standby is gone; its end is read below
                }
              }));
    }
    ByteBuffer taken = read(channel);
    if (taken == null || taken.get(0) != TAKEN) {
      previous.forEach(Signal::handle);
      return passedOn.get() != 0 ? OptionalInt.of(128 + passedOn.get()) : OptionalInt.empty();
    }
    ByteBuffer end = read(channel);
    if (end != null && end.get(0) == EXIT) {
      return OptionalInt.of(end.getInt(1));
    }
    if (passedOn.get() != 0) {
      return OptionalInt.of(128 + passedOn.get());
    }
    stderr.println(
        System.getProperty("lambda-cntr.name", "lambda-cntr")
            + ": the standby process "
            + taken.getInt(1)
            + " that ran this session ended without an exit status");
    return OptionalInt.of(ExitCode.SESSION_LOST.code());
  }

  /** The standby's next 5-byte message; null at the connection's end or on an error. */
  private static ByteBuffer read(SocketChannel channel) {
    ByteBuffer message = ByteBuffer.allocate(5);
    try {
      while (message.hasRemaining()) {
        if (channel.read(message) < 0) {
          return null;
        }
      }
      return message;
    } catch (IOException e) {
      return null; // ECONNRESET: closed with the invocation's bytes unread
    }
  }

  /**
   * What a hand-over loads, without one (the AOT cache's training run, which must leave no standby
   * behind): the place, a request's encoding and a Unix-domain channel. A hand-over then finds its
   * classes in the cache: 25 ms of a fresh JVM's way to the standby otherwise.
   */
  public static void train() {
    StandbyPlace.of(System.getenv(), currentUid())
        .ifPresent(
            place -> new StandbyRequest(place.key(), "", System.getenv(), List.of(), 0L).encode());
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      channel.isConnected();
    } catch (IOException e) {
      // nothing to train then
    }
  }

  /** A 5-byte message: its tag and a number. */
  static byte[] message(byte tag, int value) {
    return ByteBuffer.allocate(5).put(tag).putInt(value).array();
  }

  private static void write(SocketChannel channel, byte[] bytes) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    synchronized (channel) {
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
    }
  }

  /** The user ID this process runs as, from {@code /proc/self}'s owner (no native call). */
  static int currentUid() {
    try {
      return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    } catch (IOException | RuntimeException e) {
      return UnixCalls.uid();
    }
  }
}
