package dev.lambdacntr.cli.copy;

import dev.lambdacntr.protocol.ExitCode;
import java.util.ArrayList;
import java.util.List;

/**
 * The commands a cp session runs: GNU tar from the debug image, started by {@code lambda-cntr-exec
 * --in-target} in a directory resolved inside the target's root, so that neither {@code ..} nor an
 * absolute symbolic link of the target leads out of it. The session has the target's user and
 * capabilities: what tar cannot read or write fails with the target's own error ("Permission
 * denied", "Read-only file system"), and new files belong to the target's user.
 */
final class RemoteTar {

  /** The session helper in the debug image, usable inside a session (attach-agent's C source). */
  static final String HELPER = "/opt/lambda-cntr/libexec/lambda-cntr-exec";

  private static final String TAR = "/usr/bin/tar";

  // $1 helper, $2 the destination's full path, $3 the sed expression that renames the archive's
  // top entry to the destination's name. A destination that resolves to a directory (links inside
  // the target followed) receives the entry; else the entry becomes the destination. The outer
  // helper made the destination's parent the working directory.
  private static final String EXTRACT =
      "if \"$1\" --in-target \"$2\" -- /usr/bin/true 2>/dev/null; then"
          + " exec \"$1\" --in-target \"$2\" -- "
          + TAR
          + " -x -p --no-same-owner -f -; fi;"
          + " exec "
          + TAR
          + " -x -p --no-same-owner --transform \"$3\" -f -";

  // $1 the name in the working directory, $2 its full path for the message, then tar's options.
  private static final String READ =
      "if [ ! -e \"$1\" ] && [ ! -L \"$1\" ]; then"
          + " echo \"lambda-cntr: cannot copy $2 from the target: no such file or directory"
          + " (ENOENT)\" >&2; exit "
          + ExitCode.TARGET_PATH.code()
          + "; fi; exec "
          + TAR
          + " -c -f - \"${@:3}\" -- \"$1\"";

  private RemoteTar() {}

  /**
   * Writes {@code source} as a tar stream whose top entry is its name (links not followed); a copy
   * of the whole root leaves out the target's /proc and /sys, which are the kernel's, not its
   * files.
   */
  static List<String> read(TargetPath source) {
    List<String> command =
        new ArrayList<>(
            List.of(
                HELPER,
                "--in-target",
                source.parent(),
                "--",
                "/bin/bash",
                "-c",
                READ,
                "lambda-cntr-cp",
                source.name(),
                source.full()));
    if (source.isRoot()) {
      command.addAll(List.of("--anchored", "--exclude=./proc", "--exclude=./sys"));
    }
    return List.copyOf(command);
  }

  /**
   * Extracts a tar stream whose top entry is {@code top} into {@code destination}: inside it when
   * it is a directory, else as it (the top entry renamed).
   */
  static List<String> write(TargetPath destination, String top) {
    if (destination.isRoot()) {
      return extractInto(destination);
    }
    String rename = "s/^" + regex(top) + "/" + replacement(destination.name()) + "/S";
    return List.of(
        HELPER,
        "--in-target",
        destination.parent(),
        "--",
        "/bin/bash",
        "-c",
        EXTRACT,
        "lambda-cntr-cp",
        HELPER,
        destination.full(),
        rename);
  }

  /** Extracts a tar stream given as it is into {@code directory}. */
  static List<String> extractInto(TargetPath directory) {
    return List.of(
        HELPER,
        "--in-target",
        directory.full(),
        "--",
        TAR,
        "-x",
        "-p",
        "--no-same-owner",
        "-f",
        "-");
  }

  /** A name as a basic regular expression that matches only itself. */
  static String regex(String name) {
    StringBuilder out = new StringBuilder();
    for (char c : name.toCharArray()) {
      if ("\\.[]*^$/".indexOf(c) >= 0) {
        out.append('\\');
      }
      out.append(c);
    }
    return out.toString();
  }

  /** A name as a sed replacement that inserts only itself. */
  static String replacement(String name) {
    StringBuilder out = new StringBuilder();
    for (char c : name.toCharArray()) {
      if ("\\&/".indexOf(c) >= 0) {
        out.append('\\');
      }
      out.append(c);
    }
    return out.toString();
  }
}
