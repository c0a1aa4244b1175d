package dev.lambdacntr.cli;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code lambda-cntr execute POD [CONTAINER] -- CMD [ARGS...]}: one command, its status back. */
@Command(
    name = "execute",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    customSynopsis = "lambda-cntr execute [OPTIONS] POD [CONTAINER] -- CMD [ARGS...]",
    description = {
      "Run one command inside a running container, with the debug image's tools, and exit with"
          + " its status.",
      "Without a terminal (stdin or stdout redirected) stdin and stdout are passed through byte"
          + " for byte and the end of stdin reaches the command: tar c . | lambda-cntr execute"
          + " POD -- tar x -C /tmp works. -t forces a terminal."
    })
final class ExecuteCommand extends SessionCommand {

  @Parameters(index = "0", paramLabel = "POD", description = "the target pod")
  String pod;

  @Parameters(
      index = "1..*",
      paramLabel = "ARG",
      description = "[CONTAINER] -- CMD [ARGS...]: the container, then the command after --")
  List<String> rest = List.of();

  private Optional<String> container = Optional.empty();
  private List<String> command = List.of();

  ExecuteCommand(CliContext context) {
    super(context);
  }

  @Override
  String pod() {
    return pod;
  }

  @Override
  Optional<String> container() {
    split();
    return container;
  }

  @Override
  List<String> command() {
    split();
    return command;
  }

  /** Splits the positional arguments at the {@code --} picocli consumed. */
  private void split() {
    List<String> original = spec.commandLine().getParseResult().originalArgs();
    int dashes = original.indexOf("--");
    if (dashes < 0 || dashes == original.size() - 1) {
      throw new CntrException(
          ExitCode.USAGE,
          "execute needs a command after '--': lambda-cntr execute POD [CONTAINER] -- CMD"
              + " [ARGS...]");
    }
    int commandLength = original.size() - dashes - 1;
    List<String> before = rest.subList(0, rest.size() - commandLength);
    if (before.size() > 1) {
      throw new CntrException(
          ExitCode.USAGE,
          "too many arguments before '--': "
              + String.join(" ", before)
              + " (expected at most one CONTAINER)");
    }
    container = before.stream().findFirst();
    command = List.copyOf(rest.subList(rest.size() - commandLength, rest.size()));
  }

  @Override
  boolean wantsTty() {
    return session.tty
        || (context.stdinIsTerminal().getAsBoolean() && context.stdoutIsTerminal().getAsBoolean());
  }
}
