package dev.lambdacntr.bench.fs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs external programs and fails loudly with their output when they fail. */
final class Shell {
  private static final Pattern ELAPSED = Pattern.compile("BENCH_ELAPSED_NS=(\\d+)");

  private Shell() {}

  static String run(Path cwd, List<String> command) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(3600, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", command) + " timed out");
    }
    String text = new String(out, StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new IOException(
          String.join(" ", command) + " failed with status " + p.exitValue() + ":\n" + text);
    }
    return text;
  }

  static String sh(Path cwd, String script) throws IOException, InterruptedException {
    return run(cwd, List.of("sh", "-c", script));
  }

  /** Runs {@code script} on a side (natively or in a session) in its directory; its output. */
  static String on(Side side, String script) throws IOException, InterruptedException {
    return run(Path.of("/"), side.command(script));
  }

  /**
   * Wall-clock seconds of {@code script} on a side, measured by the side's own shell around the
   * script, so that starting a session is not counted.
   */
  static double timed(Side side, String script) throws IOException, InterruptedException {
    String out =
        on(
            side,
            "s=$(date +%s%N) && { "
                + script
                + "; } && e=$(date +%s%N) && echo BENCH_ELAPSED_NS=$((e - s))");
    Matcher m = ELAPSED.matcher(out);
    if (!m.find()) {
      throw new IOException(
          "no elapsed time from '" + script + "' on " + side.name() + ":\n" + out);
    }
    return Long.parseLong(m.group(1)) / 1e9;
  }

  /** {@code s} quoted for sh. */
  static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }

  static String join(List<String> words) {
    StringBuilder sb = new StringBuilder();
    for (String w : words) {
      if (!sb.isEmpty()) {
        sb.append(' ');
      }
      sb.append(quote(w));
    }
    return sb.toString();
  }
}
