package dev.lambdacntr.cli;

import dev.lambdacntr.cli.copy.CopyTransfer;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code lambda-cntr cp SRC DEST}: files into and out of a container, with the debug image's tar,
 * so that targets without tar (distroless, scratch) work too.
 */
@Command(
    name = "cp",
    mixinStandardHelpOptions = true,
    versionProvider = LambdaCntrCommand.VersionProvider.class,
    customSynopsis = {
      "lambda-cntr cp [OPTIONS] POD[:CONTAINER]:PATH LOCAL|-",
      "lambda-cntr cp [OPTIONS] LOCAL|- POD[:CONTAINER]:PATH"
    },
    description = {
      "Copy a file or directory (recursively) out of or into a running container, also one"
          + " without tar or a shell. PATH is the container's own path, resolved inside its root:"
          + " '..' and absolute symbolic links of the container never lead out of it.",
      "Symbolic links are copied as links. Into an existing directory the copy goes below it"
          + " under its own name; else it takes the destination's name. Files written into the"
          + " container belong to its user; what the container's user may not read or write fails"
          + " with its own error (Permission denied, Read-only file system).",
      "'-' is a tar stream: on stdout for a copy out, on stdin for a copy in (extracted into"
          + " PATH, which must be a directory). A local name with a colon is written ./name.",
      "A copy that takes longer than 3 seconds shows its progress on stderr; -q hides it."
    })
final class CopyCommand extends SessionCommand {

  @Parameters(index = "0", paramLabel = "SRC", description = "what to copy")
  String source;

  @Parameters(index = "1", paramLabel = "DEST", description = "where the copy goes")
  String destination;

  private CopyTransfer transfer;

  CopyCommand(CliContext context) {
    super(context);
  }

  /**
   * Refuses the session options that make no sense for a copy: another image may lack the tar and
   * the helper cp runs, and a copy has no terminal or forwarded ports.
   */
  private void refuseSessionOnlyOptions() {
    for (String option : List.of("--image", "--tty", "--port-forward", "--address")) {
      if (spec.commandLine().getParseResult().hasMatchedOption(option)) {
        throw new CntrException(
            ExitCode.USAGE,
            "cp takes no "
                + option
                + ": it runs the debug image's tar, without a terminal or forwarded ports");
      }
    }
  }

  @Override
  String pod() {
    return transfer.pod();
  }

  @Override
  Optional<String> container() {
    return transfer.container();
  }

  @Override
  List<String> command() {
    return transfer.command();
  }

  @Override
  boolean wantsTty() {
    return false;
  }

  @Override
  boolean protectsByDefault() {
    return false;
  }

  @Override
  CliContext sessionContext() {
    return transfer.sessionContext(context);
  }

  @Override
  public Integer call() {
    cluster.validate();
    session.validate();
    refuseSessionOnlyOptions();
    transfer = CopyTransfer.start(source, destination, context, cluster.quiet);
    try (CopyTransfer running = transfer) {
      return running.finish(super.call());
    }
  }
}
