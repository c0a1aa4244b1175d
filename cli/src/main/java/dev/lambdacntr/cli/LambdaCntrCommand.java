package dev.lambdacntr.cli;

import dev.lambdacntr.protocol.ExitCode;
import dev.lambdacntr.target.Version;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code lambda-cntr}: the top command; it only holds the subcommands. */
@Command(
    name = "lambda-cntr",
    mixinStandardHelpOptions = true,
    versionProvider = LambdaCntrCommand.VersionProvider.class,
    description =
        "Open a debug shell with a full tools image inside a running Kubernetes container,"
            + " without changing the container, its image or its deployment.",
    footerHeading = "%nExit status:%n")
public final class LambdaCntrCommand implements Runnable {

  /** The subcommands, in the order help lists them (added by {@link Cli}). */
  static final List<Class<?>> SUBCOMMANDS =
      List.of(
          AttachCommand.class,
          ExecuteCommand.class,
          DebugCommand.class,
          PortForwardCommand.class,
          CopyCommand.class,
          ReplayCommand.class,
          CleanupCommand.class,
          InstallCommand.class,
          UninstallCommand.class,
          StatusCommand.class,
          ReleaseProtectionCommand.class,
          CompletionCommand.class);

  @Spec CommandSpec spec;

  /**
   * The subcommands a command line needs: only attach or execute when it starts with one (their
   * start is the one users wait for, and picocli builds every command's model up front: 2/3 of its
   * start-up), else all of them.
   */
  static List<Class<?>> subcommandsFor(String[] args) {
    if (args.length > 0 && args[0].equals("attach")) {
      return List.of(AttachCommand.class);
    }
    if (args.length > 0 && args[0].equals("execute")) {
      return List.of(ExecuteCommand.class);
    }
    if (args.length > 0 && args[0].equals("cp")) {
      return List.of(CopyCommand.class);
    }
    if (args.length > 0 && args[0].equals(ReleaseProtectionCommand.NAME)) {
      return List.of(ReleaseProtectionCommand.class);
    }
    return SUBCOMMANDS;
  }

  /** What {@code --version} prints. */
  static final class VersionProvider implements IVersionProvider {

    @Override
    public String[] getVersion() {
      return new String[] {Version.line()};
    }
  }

  @Override
  public void run() {
    throw new ParameterException(
        spec.commandLine(), "missing command: attach, execute, debug, port-forward or cleanup");
  }

  /** The exit status table printed at the end of {@code --help}. */
  static String exitStatusTable() {
    return Arrays.stream(ExitCode.values())
        .filter(c -> c.code() >= 64 && c.code() < 120)
        .map(c -> String.format("  %3d  %s", c.code(), c.meaning()))
        .collect(Collectors.joining("%n"));
  }
}
