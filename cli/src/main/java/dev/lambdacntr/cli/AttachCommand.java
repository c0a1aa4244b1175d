package dev.lambdacntr.cli;

import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code lambda-cntr attach POD [CONTAINER]}: an interactive shell in the container. */
@Command(
    name = "attach",
    mixinStandardHelpOptions = true,
    versionProvider = LambdaCntrCommand.VersionProvider.class,
    description = {
      "Open a shell inside a running container: / is the debug image, the container's own"
          + " root is /var/lib/cntr, and the shell has the container's namespaces, cgroup,"
          + " environment, user and capabilities.",
      "With a terminal the session is raw (Ctrl-C goes to the remote shell) and follows window"
          + " resizes; `exit` ends it and returns the shell's status."
    })
final class AttachCommand extends SessionCommand {

  @Parameters(index = "0", paramLabel = "POD", description = "the target pod")
  String pod;

  @Parameters(
      index = "1",
      arity = "0..1",
      paramLabel = "CONTAINER",
      description = "the container (needed when the pod has several)")
  String container;

  @Mixin RecordOptions record;

  AttachCommand(CliContext context) {
    super(context);
  }

  @Override
  String pod() {
    return pod;
  }

  @Override
  Optional<String> container() {
    return Optional.ofNullable(container);
  }

  @Override
  List<String> command() {
    return List.of();
  }

  @Override
  Optional<RecordOptions> recordOptions() {
    return Optional.of(record);
  }

  @Override
  boolean wantsTty() {
    return session.tty || context.stdinIsTerminal().getAsBoolean();
  }

  @Override
  boolean protectsByDefault() {
    return true;
  }
}
