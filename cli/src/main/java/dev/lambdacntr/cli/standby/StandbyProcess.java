package dev.lambdacntr.cli.standby;

import dev.lambdacntr.cli.Cli;
import dev.lambdacntr.cli.CliContext;
import dev.lambdacntr.cli.Environment;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A CLI process started ahead of the next session, warmed up, and waiting for it: the JVM, its
 * AOT-cached classes, picocli's model, the TLS key shares and a connection to the API server are
 * ready when an invocation hands over its session ({@link StandbyHandOver}), so the session starts
 * from a warm process rather than from a new JVM. It serves exactly one session, as the process it
 * stands in for would have, on the invocation's own terminal or pipes, then starts its successor
 * and exits with the session's status. It leaves after {@value #DEFAULT_IDLE_SECONDS} s ({@code
 * LAMBDA_CNTR_STANDBY_IDLE}) without a session, or when another standby took its socket, and
 * removes its socket as it goes.
 *
 * <p>Only its own user reaches it: the socket is in a directory of mode 0700 that the user owns,
 * and it serves only a peer of its own user ID ({@code SO_PEERCRED}) whose key, working directory
 * and environment are its own.
 */
public final class StandbyProcess {

  /** How long a standby waits for a session before it leaves. */
  static final int DEFAULT_IDLE_SECONDS = 600;

  private static final int CHECK_MILLIS = 5_000;

  /** Under the API server's 90 s idle limit for a connection. */
  private static final long KEEP_CONNECTION_NANOS = 60_000_000_000L;

  private volatile boolean finished;

  private StandbyProcess() {}

  /** Started by {@link StandbySpawn} with the CLI's JVM flags; never by a user. */
  public static void main(String[] args) {
    int status = 0;
    try {
      status = new StandbyProcess().standBy();
    } catch (IOException | RuntimeException e) {
      status = 1; // nobody reads a standby's output: the next invocation runs the command itself
    }
    System.exit(status);
  }

  private int standBy() throws IOException {
    int uid = UnixCalls.uid();
    Map<String, String> env = System.getenv();
    StandbyPlace place = StandbyPlace.of(env, uid).orElse(null);
    if (place == null || !place.makePrivate(uid)) {
      return 0;
    }
    UnixCalls.setsid();
    Path socket = place.socket();
    Path bound = place.directory().resolve(place.key() + "." + ProcessHandle.current().pid());
    int listening = UnixCalls.listen(bound.toString(), 4);
    Object inode;
    try {
      Files.move(
          bound, socket, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      inode = Files.getAttribute(socket, "unix:ino", LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      Files.deleteIfExists(bound);
      throw e;
    }
    warmUp();
    long lastConnected = System.nanoTime();
    long idleNanos = idleSeconds(env) * 1_000_000_000L;
    long since = System.nanoTime();
    int connection = -1;
    while (connection < 0) {
      if (UnixCalls.readable(listening, CHECK_MILLIS)) {
        connection = UnixCalls.accept(listening);
      } else if (!isOurs(socket, inode)) {
        return 0; // another standby for the same key took the socket
      } else if (System.nanoTime() - since > idleNanos) {
        removeIfOurs(socket, inode);
        return 0;
      } else if (System.nanoTime() - lastConnected > KEEP_CONNECTION_NANOS) {
        dev.lambdacntr.cli.Main.prepareConnection(new Environment(env));
        lastConnected = System.nanoTime();
      }
    }
    removeIfOurs(socket, inode);
    UnixCalls.close(listening);
    return serve(connection, place, uid);
  }

  /** One session for the invocation on {@code connection}, or none if it is not ours to serve. */
  private int serve(int connection, StandbyPlace place, int uid) throws IOException {
    UnixCalls.Peer peer = UnixCalls.peer(connection);
    StandbyRequest request = peer.uid() == uid ? read(connection) : null;
    int[] descriptors = request != null && matches(request, place) ? open(peer.pid()) : null;
    if (descriptors == null) {
      answer(connection, StandbyHandOver.REFUSED, 0);
      UnixCalls.close(connection);
      return 0;
    }
    for (int i = 0; i < 3; i++) {
      UnixCalls.dup2(descriptors[i], i);
      UnixCalls.close(descriptors[i]);
    }
    watch(connection);
    answer(connection, StandbyHandOver.TAKEN, (int) ProcessHandle.current().pid());
    if (verbose(request.args())) {
      System.err.println(tookLine(request.startNanos()));
    }
    int status =
        Cli.run(request.args().toArray(String[]::new), CliContext.system(request.startNanos()));
    System.out.flush();
    System.err.flush();
    finished = true;
    release();
    answer(connection, StandbyHandOver.EXIT, status);
    UnixCalls.close(connection);
    StandbySpawn.start();
    return status;
  }

  /**
   * Puts {@code /dev/null} at 0-2 before the answer: a pipe the invocation's output goes into ends
   * with the invocation, not later with this JVM's exit (a shell reading it would wait for that).
   */
  private static void release() throws IOException {
    int nothing = UnixCalls.open("/dev/null", 2); // O_RDWR
    for (int i = 0; i < 3; i++) {
      UnixCalls.dup2(nothing, i);
    }
    UnixCalls.close(nothing);
  }

  /** Whether the command line asks for {@code -v} (before {@code --}: after it, the command's). */
  static boolean verbose(java.util.List<String> args) {
    int end = args.indexOf("--");
    java.util.List<String> own = end < 0 ? args : args.subList(0, end);
    return own.contains("-v") || own.contains("--verbose");
  }

  /** {@code -v}'s line, in the form of the CLI's progress lines. */
  private static String tookLine(long startNanos) {
    return String.format(
        Locale.ROOT,
        "lambda-cntr [%.2fs] standby process %d took the session",
        (System.nanoTime() - startNanos) / 1e9,
        ProcessHandle.current().pid());
  }

  /** The request on {@code connection}; null when it is none or too long. */
  private static StandbyRequest read(int connection) {
    try {
      byte[] header = new byte[4];
      if (!UnixCalls.readFully(connection, header)) {
        return null;
      }
      int length = StandbyRequest.length(header);
      if (length <= 0 || length > StandbyRequest.MAX_BYTES) {
        return null;
      }
      byte[] body = new byte[length];
      return UnixCalls.readFully(connection, body) ? StandbyRequest.decode(body) : null;
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * The invocation's descriptors 0-2, opened again through {@code /proc/PID/fd}: the same terminal,
   * pipe or device, with the same access mode, and never as this process's controlling terminal.
   * Null when one is anything else: a regular file or a socket (a new open of a file has its own
   * offset, so output would not continue where the invocation's shell left it, and a socket cannot
   * be opened again); the invocation then runs the command itself. The invocation waits on the
   * connection meanwhile, so PID is its own.
   */
  static int[] open(long pid) {
    int[] opened = new int[3];
    int done = 0;
    try {
      for (; done < 3; done++) {
        Path link = Path.of("/proc", Long.toString(pid), "fd", Integer.toString(done));
        int mode = (Integer) Files.getAttribute(link, "unix:mode");
        int type = mode & 0170000;
        if (type != 0020000 && type != 0010000) { // a character device or a pipe
          throw new IOException("fd " + done + " is neither a character device nor a pipe");
        }
        opened[done] = UnixCalls.open(link.toString(), accessMode(pid, done));
      }
      return opened;
    } catch (IOException | RuntimeException e) {
      for (int i = 0; i < done; i++) {
        UnixCalls.close(opened[i]);
      }
      return null;
    }
  }

  /** O_RDONLY, O_WRONLY or O_RDWR and O_APPEND, as the invocation opened its {@code fd}. */
  private static int accessMode(long pid, int fd) throws IOException {
    for (String line :
        Files.readAllLines(Path.of("/proc", Long.toString(pid), "fdinfo", Integer.toString(fd)))) {
      if (line.startsWith("flags:")) {
        int flags = Integer.parseInt(line.substring("flags:".length()).trim(), 8);
        return flags & (UnixCalls.O_ACCMODE | UnixCalls.O_APPEND);
      }
    }
    throw new IOException("no flags in /proc/" + pid + "/fdinfo/" + fd);
  }

  /**
   * What serving runs before the session, once, on nothing of an invocation: a request's round
   * trip, the comparison, reading a descriptor's type and access mode, the native calls' links. Run
   * by the AOT cache's training (so these classes come from the cache) and by a standby's warm-up
   * (so they are loaded and run once before the invocation waits on them).
   */
  public static boolean train() {
    StandbyPlace place = new StandbyPlace(Path.of("/nonexistent"), "0000000000000000");
    StandbyRequest request =
        new StandbyRequest(
            place.key(),
            System.getProperty("user.dir", ""),
            System.getenv(),
            java.util.List.of("execute"),
            System.nanoTime());
    byte[] framed = request.encode();
    try {
      matches(StandbyRequest.decode(java.util.Arrays.copyOfRange(framed, 4, framed.length)), place);
      Files.getAttribute(Path.of("/proc/self/fd/0"), "unix:mode");
      accessMode(ProcessHandle.current().pid(), 0);
      UnixCalls.close(UnixCalls.open("/dev/null", 0));
      return !tookLine(System.nanoTime()).isEmpty();
    } catch (IOException | RuntimeException e) {
      return false; // training only: a session does the same and reports its own failures
    }
  }

  /**
   * The same invocation as the one this standby stands in for: key, working directory and
   * environment (without {@code _}).
   */
  static boolean matches(StandbyRequest request, StandbyPlace place) {
    return request.key().equals(place.key())
        && request.cwd().equals(System.getProperty("user.dir", ""))
        && StandbyPlace.relevant(request.env()).equals(StandbyPlace.relevant(System.getenv()));
  }

  /**
   * Ends the session when the invocation is gone before its end (SIGKILL, a crash): as a CLI whose
   * terminal hung up, through the shutdown hooks, which put the terminal's modes back and end the
   * session's protection.
   */
  private void watch(int connection) {
    Thread.ofPlatform()
        .daemon()
        .name("lambda-cntr-standby-invocation")
        .start(
            () -> {
              byte[] message = new byte[5];
              try {
                while (UnixCalls.readFully(connection, message)) {
                  if (message[0] == StandbyHandOver.SIGNAL) {
                    UnixCalls.kill(
                        (int) ProcessHandle.current().pid(), StandbyRequest.length(tail(message)));
                  }
                }
              } catch (IOException e) {
                // gone either way
              }
              if (!finished) {
                Runtime.getRuntime().exit(128 + UnixCalls.SIGHUP);
              }
            });
  }

  private static byte[] tail(byte[] message) {
    return java.util.Arrays.copyOfRange(message, 1, 5);
  }

  private static void answer(int connection, byte tag, int value) {
    byte[] bytes = {
      tag, (byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value
    };
    try {
      UnixCalls.send(connection, bytes);
    } catch (IOException e) {
      // the invocation is gone; its session ended with it
    }
  }

  /**
   * What every session pays first in a new JVM: picocli's model of the commands, the first TLS key
   * shares, the native calls' links. Output goes nowhere.
   */
  private static void warmUp() {
    PrintStream nowhere = new PrintStream(new ByteArrayOutputStream());
    CliContext quiet =
        new CliContext(
            new Environment(System.getenv()),
            java.io.InputStream.nullInputStream(),
            java.io.OutputStream.nullOutputStream(),
            nowhere,
            () -> false,
            () -> false,
            System.nanoTime());
    for (String command : StandbyHandOver.COMMANDS) {
      Cli.run(new String[] {command, "--help"}, quiet);
    }
    dev.lambdacntr.cli.Main.warmUpSession();
    train();
    dev.lambdacntr.cli.Main.prepareConnection(new Environment(System.getenv()));
  }

  private static long idleSeconds(Map<String, String> env) {
    try {
      return Math.max(1, Long.parseLong(env.getOrDefault("LAMBDA_CNTR_STANDBY_IDLE", "")));
    } catch (NumberFormatException e) {
      return DEFAULT_IDLE_SECONDS;
    }
  }

  private static boolean isOurs(Path socket, Object inode) {
    try {
      return Objects.equals(
          Files.getAttribute(socket, "unix:ino", LinkOption.NOFOLLOW_LINKS), inode);
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static void removeIfOurs(Path socket, Object inode) throws IOException {
    if (isOurs(socket, inode)) {
      Files.deleteIfExists(socket);
    }
  }
}
