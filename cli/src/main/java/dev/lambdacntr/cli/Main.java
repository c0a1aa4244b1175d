package dev.lambdacntr.cli;

/** The {@code lambda-cntr} command. */
public final class Main {

  /**
   * Runs the command line this many times in one JVM (the AOT cache's training run: a cold start
   * creating the agent, then the warm path reusing it; src/build/finish-dist).
   */
  static final String TRAINING_RUNS = "lambda-cntr.aot-training-runs";

  private Main() {}

  public static void main(String[] args) {
    int runs = Integer.getInteger(TRAINING_RUNS, 1);
    for (int i = 1; i < runs; i++) {
      Cli.run(args, CliContext.system(System.nanoTime()));
    }
    System.exit(Cli.run(args, CliContext.system(System.nanoTime())));
  }
}
