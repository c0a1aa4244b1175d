package dev.lambdacntr.cli;

import java.io.PrintWriter;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code lambda-cntr completion}: the bash/zsh completion script. */
@Command(
    name = "completion",
    mixinStandardHelpOptions = true,
    versionProvider = LambdaCntrCommand.VersionProvider.class,
    description = {
      "Print the shell completion script for bash and zsh.",
      "bash: source <(lambda-cntr completion)",
      "zsh:  autoload -U +X compinit && compinit; autoload -U +X bashcompinit && bashcompinit;"
          + " source <(lambda-cntr completion)"
    })
final class CompletionCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    PrintWriter out = spec.commandLine().getOut();
    out.print(AutoComplete.bash("lambda-cntr", spec.root().commandLine()));
    out.flush();
  }
}
