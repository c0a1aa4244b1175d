package dev.lambdacntr.cli.copy;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A path in the target as the user wrote it, made absolute (relative paths start at the target's
 * root) and normalised the way the target's root bounds it: {@code ..} at the root stays there. The
 * remote side resolves it again inside the root, symbolic links included (lambda-cntr-exec
 * --in-target); this form only splits it into the directory to enter and the name in it.
 *
 * @param parent the directory that holds the named entry ({@code /} for the root itself)
 * @param name the entry's name, or {@code .} for the root
 */
public record TargetPath(String written, String parent, String name) {

  static TargetPath of(String written) {
    if (written.indexOf('\n') >= 0 || written.indexOf('\0') >= 0) {
      throw new CntrException(
          ExitCode.USAGE, "cp: a container path with a newline or NUL is not supported");
    }
    Deque<String> parts = new ArrayDeque<>();
    for (String part : written.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        parts.pollLast();
      } else {
        parts.addLast(part);
      }
    }
    if (parts.isEmpty()) {
      return new TargetPath(written, "/", ".");
    }
    String name = parts.removeLast();
    return new TargetPath(written, "/" + String.join("/", parts), name);
  }

  /** The whole normalised path. */
  public String full() {
    if (name.equals(".")) {
      return "/";
    }
    return parent.equals("/") ? "/" + name : parent + "/" + name;
  }

  /** Whether it is the target's root. */
  public boolean isRoot() {
    return name.equals(".");
  }
}
