package dev.lambdacntr.cli.copy;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One side of {@code lambda-cntr cp}: a path in a container ({@code POD[:CONTAINER]:PATH}), a local
 * path, or {@code -} for a tar stream on stdin or stdout.
 */
public sealed interface CopyOperand {

  /** A path in the target, resolved inside its root. */
  record Remote(String pod, Optional<String> container, TargetPath path) implements CopyOperand {}

  /** A path on this machine. */
  record Local(Path path) implements CopyOperand {}

  /** {@code -}: a tar stream on stdin (as source) or stdout (as destination). */
  record Stream() implements CopyOperand {}

  /**
   * Parses an argument as {@code kubectl cp} does: {@code -} is a stream; a path that starts with
   * {@code /} or {@code .} or has no colon is local; else {@code POD:PATH}, or {@code
   * POD:CONTAINER:PATH} when the part after the first colon does not start with {@code /} and
   * another colon follows. A local name with a colon is written {@code ./name:with:colons}.
   */
  static CopyOperand parse(String argument) {
    if (argument.equals("-")) {
      return new Stream();
    }
    int colon = argument.indexOf(':');
    if (argument.isEmpty() || argument.startsWith("/") || argument.startsWith(".") || colon < 0) {
      if (argument.isEmpty()) {
        throw new CntrException(ExitCode.USAGE, "cp: an empty path");
      }
      return new Local(Path.of(argument));
    }
    String pod = argument.substring(0, colon);
    String rest = argument.substring(colon + 1);
    Optional<String> container = Optional.empty();
    int second = rest.indexOf(':');
    if (!rest.startsWith("/") && second >= 0) {
      container = Optional.of(rest.substring(0, second));
      rest = rest.substring(second + 1);
    }
    if (pod.isEmpty() || container.map(String::isEmpty).orElse(false)) {
      throw new CntrException(
          ExitCode.USAGE,
          "cp: '" + argument + "' names no pod; a container path is POD[:CONTAINER]:PATH");
    }
    if (rest.isEmpty()) {
      throw new CntrException(
          ExitCode.USAGE,
          "cp: '" + argument + "' names no path in the container; write POD:/ for its root");
    }
    return new Remote(pod, container, TargetPath.of(rest));
  }
}
