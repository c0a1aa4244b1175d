package dev.lambdacntr.cli;

/** The {@code lambda-cntr} command. */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    System.exit(Cli.run(args, CliContext.system(System.nanoTime())));
  }
}
