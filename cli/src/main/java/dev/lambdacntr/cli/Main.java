package dev.lambdacntr.cli;

import dev.lambdacntr.target.Version;

/** The {@code lambda-cntr} command. */
public final class Main {

  /**
   * Runs the command line this many times in one JVM (the AOT cache's training run: a cold start
   * creating the agent, then the warm path reusing it; src/build/finish-dist).
   */
  static final String TRAINING_RUNS = "lambda-cntr.aot-training-runs";

  private Main() {}

  /** {@code --version} or {@code -V} alone: what picocli's standard options answer the same way. */
  static boolean isVersionRequest(String[] args) {
    return args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"));
  }

  public static void main(String[] args) {
    if (isVersionRequest(args)) {
      // Answered before picocli and the context are loaded: building them is most of the time a
      // bare --version took (209 ms against kubectl's 42 ms; benchmarks/cli/README.md).
      System.out.println(Version.line());
      return;
    }
    SessionStartWarmUp.startFor(args);
    int runs = Integer.getInteger(TRAINING_RUNS, 1);
    for (int i = 1; i < runs; i++) {
      Cli.run(args, CliContext.system(System.nanoTime()));
    }
    System.exit(Cli.run(args, CliContext.system(System.nanoTime())));
  }
}
