package dev.lambdacntr.e2e;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * A real terminal for the CLI: a tmux server of the test's own (its own socket in the test's
 * directory, no user configuration) whose one pane runs a program on a pseudo terminal. The test
 * types into it, reads the screen, resizes the window, and kills the server (only its own) and
 * removes its socket when done.
 */
final class TmuxTerminal implements AutoCloseable {

  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static final String TARGET = "e2e";

  private final Path socket;

  private TmuxTerminal(Path socket) {
    this.socket = socket;
  }

  /**
   * Starts {@code program} (run by bash) in a detached window of {@code columns x rows}. The pane
   * stays after the program ends, so its last screen can still be read.
   */
  static TmuxTerminal start(Path dir, int columns, int rows, Path program) {
    if (!onPath("tmux")) {
      E2eSettings.unavailable("tmux is not installed (scripts/install-deps installs it)");
    }
    Path config = dir.resolve("tmux.conf");
    write(config, "set -g remain-on-exit on\nset -g history-limit 10000\nset -g status off\n");
    Path socket = dir.resolve("tmux-" + COUNTER.incrementAndGet() + ".sock");
    TmuxTerminal terminal = new TmuxTerminal(socket);
    terminal.tmux(
        "-f",
        config.toString(),
        "new-session",
        "-d",
        "-s",
        TARGET,
        "-x",
        Integer.toString(columns),
        "-y",
        Integer.toString(rows),
        "bash " + program);
    return terminal;
  }

  /** Types {@code text} literally, then Enter. */
  void typeLine(String text) {
    tmux("send-keys", "-t", TARGET, "-l", text);
    tmux("send-keys", "-t", TARGET, "Enter");
  }

  /** Sends tmux key names, such as {@code C-c}. */
  void keys(String... keys) {
    List<String> args = new ArrayList<>(List.of("send-keys", "-t", TARGET));
    args.addAll(List.of(keys));
    tmux(args.toArray(String[]::new));
  }

  /** Resizes the window; the program on the terminal gets SIGWINCH. */
  void resize(int columns, int rows) {
    tmux(
        "resize-window",
        "-t",
        TARGET,
        "-x",
        Integer.toString(columns),
        "-y",
        Integer.toString(rows));
  }

  /**
   * The screen without its scroll-back, each line without trailing blanks, trailing empty lines
   * dropped.
   */
  String visibleScreen() {
    String screen = tmux("capture-pane", "-p", "-t", TARGET);
    return screen
        .lines()
        .map(String::stripTrailing)
        .reduce("", (a, b) -> a + b + "\n")
        .stripTrailing();
  }

  /** The screen and its scroll-back, wrapped lines joined. */
  String screen() {
    return tmux("capture-pane", "-p", "-J", "-S", "-", "-t", TARGET);
  }

  /** Waits until the screen matches {@code pattern}; fails showing the screen otherwise. */
  String awaitScreen(Pattern pattern, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      String screen = screen();
      if (pattern.matcher(screen).find()) {
        return screen;
      }
      if (System.nanoTime() > deadline) {
        fail(
            "the terminal did not show /"
                + pattern
                + "/ within "
                + timeout.toSeconds()
                + "s; screen:\n"
                + screen);
      }
      TestCluster.sleep(Duration.ofMillis(100));
    }
  }

  @Override
  public void close() {
    tmuxQuietly("kill-server");
    try {
      Files.deleteIfExists(socket);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove tmux socket " + socket, e);
    }
  }

  private String tmux(String... args) {
    Result r = runTmux(args);
    if (r.status != 0) {
      fail("tmux " + String.join(" ", args) + " failed (" + r.status + "): " + r.output);
    }
    return r.output;
  }

  private void tmuxQuietly(String... args) {
    runTmux(args);
  }

  private record Result(int status, String output) {}

  private Result runTmux(String... args) {
    List<String> command = new ArrayList<>(List.of("tmux", "-S", socket.toString()));
    command.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      p.getOutputStream().close();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        fail("tmux " + String.join(" ", args) + " hung");
      }
      return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run tmux", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private static boolean onPath(String program) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
        return true;
      }
    }
    return false;
  }

  static void write(Path file, String text) {
    try {
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
