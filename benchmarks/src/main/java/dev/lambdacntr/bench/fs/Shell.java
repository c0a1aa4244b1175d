package dev.lambdacntr.bench.fs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs external programs and fails loudly with their output when they fail. */
final class Shell {
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

  /** Wall-clock seconds of {@code script}. */
  static double timed(Path cwd, String script) throws IOException, InterruptedException {
    long start = System.nanoTime();
    sh(cwd, script);
    return (System.nanoTime() - start) / 1e9;
  }
}
