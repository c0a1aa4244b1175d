package dev.lambdacntr.bench.fs;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a workload runs: natively, or inside an attached session ({@code prefix} is the attach
 * command, such as {@code lambda-cntr-agent attach --pid N --fs fuse --}, that runs a command in
 * the target). {@code dir} is the directory under test, the same path in the session as natively
 * (the session's {@code /} is the host's root there).
 */
record Side(String name, List<String> prefix, Path dir) {

  /** {@code NAME=PREFIX WORDS}, as given on the command line; an empty prefix runs natively. */
  static Side parse(String spec, Path dir) {
    int eq = spec.indexOf('=');
    if (eq <= 0) {
      throw new IllegalArgumentException("--side wants NAME=COMMAND PREFIX, not " + spec);
    }
    String words = spec.substring(eq + 1).strip();
    return new Side(
        spec.substring(0, eq), words.isEmpty() ? List.of() : List.of(words.split("\\s+")), dir);
  }

  static Side local(String name, Path dir) {
    return new Side(name, List.of(), dir);
  }

  /** The command that runs {@code script} with {@code sh} in {@link #dir} on this side. */
  List<String> command(String script) {
    List<String> command = new ArrayList<>(prefix);
    command.addAll(List.of("sh", "-c", "cd " + Shell.quote(dir.toString()) + " && " + script));
    return command;
  }
}
