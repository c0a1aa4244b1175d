package dev.lambdacntr.cli;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import java.io.PrintWriter;
import java.lang.reflect.Constructor;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;

/** Builds the picocli command line and maps every failure to a message and an exit code. */
public final class Cli {

  private Cli() {}

  /** Runs one command line; returns the process exit status. */
  public static int run(String[] args, CliContext context) {
    CommandLine commandLine = commandLine(context, LambdaCntrCommand.subcommandsFor(args));
    return commandLine.execute(args);
  }

  /** The command line with every subcommand, wired to {@code context}. */
  public static CommandLine commandLine(CliContext context) {
    return commandLine(context, LambdaCntrCommand.SUBCOMMANDS);
  }

  private static CommandLine commandLine(CliContext context, List<Class<?>> subcommands) {
    CommandLine.IFactory factory = factory(context);
    CommandLine commandLine = new CommandLine(LambdaCntrCommand.class, factory);
    for (Class<?> subcommand : subcommands) {
      commandLine.addSubcommand(new CommandLine(subcommand, factory));
    }
    // "kubectl cntr" when started as the kubectl plugin (set by the launcher)
    commandLine.setCommandName(System.getProperty("lambda-cntr.name", "lambda-cntr"));
    commandLine.setDefaultValueProvider(new EnvDefaults(context.env()));
    commandLine
        .getCommandSpec()
        .usageMessage()
        .footer(
            "  the remote command's own status, or one of lambda-cntr's own:",
            LambdaCntrCommand.exitStatusTable());
    commandLine.setOut(new PrintWriter(context.stdout(), true, StandardCharsets.UTF_8));
    commandLine.setErr(new PrintWriter(context.stderr(), true, StandardCharsets.UTF_8));
    commandLine.setParameterExceptionHandler(
        (e, args) -> {
          context.stderr().println("lambda-cntr: " + e.getMessage());
          context
              .stderr()
              .println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
          return ExitCode.USAGE.code();
        });
    commandLine.setExecutionExceptionHandler(
        (e, cmd, parseResult) -> {
          CntrException failure =
              e instanceof CntrException c
                  ? c
                  : new CntrException(ExitCode.INTERNAL, "internal error: " + e, e);
          context.stderr().println("lambda-cntr: " + failure.getMessage());
          if (verbose(parseResult.originalArgs())) {
            failure.printStackTrace(context.stderr());
          }
          return failure.exitCode().code();
        });
    return commandLine;
  }

  private static boolean verbose(List<String> args) {
    int end = args.indexOf("--");
    List<String> options = end < 0 ? args : args.subList(0, end);
    return options.contains("-v") || options.contains("--verbose");
  }

  /** Creates commands and mixins, handing those that want it the context. */
  private static CommandLine.IFactory factory(CliContext context) {
    CommandLine.IFactory fallback = CommandLine.defaultFactory();
    return new CommandLine.IFactory() {
      @Override
      public <K> K create(Class<K> type) throws Exception {
        if (Arrays.stream(type.getDeclaredConstructors())
            .anyMatch(
                c -> c.getParameterCount() == 1 && c.getParameterTypes()[0] == CliContext.class)) {
          Constructor<K> constructor = type.getDeclaredConstructor(CliContext.class);
          return constructor.newInstance(context);
        }
        return fallback.create(type);
      }
    };
  }
}
