package dev.lambdacntr.cli;

import dev.lambdacntr.cli.direct.DirectClient;
import dev.lambdacntr.cli.direct.DirectConfig;
import dev.lambdacntr.cli.direct.Kubeconfig;
import dev.lambdacntr.cli.exec.GatewayRequest;
import dev.lambdacntr.cli.standby.StandbyHandOver;
import dev.lambdacntr.cli.standby.StandbySpawn;
import dev.lambdacntr.target.Version;
import java.security.GeneralSecurityException;
import java.util.Optional;
import java.util.OptionalInt;

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
    long start = System.nanoTime();
    boolean standby = StandbyHandOver.enabled(args);
    if (standby) {
      OptionalInt status = StandbyHandOver.run(args, start, System.err);
      if (status.isPresent()) {
        System.exit(status.getAsInt());
      }
    }
    SessionStartWarmUp.startFor(args);
    int runs = Integer.getInteger(TRAINING_RUNS, 1);
    if (runs > 1) {
      StandbyHandOver.train();
      dev.lambdacntr.cli.standby.StandbyProcess.train();
    }
    for (int i = 1; i < runs; i++) {
      Cli.run(args, CliContext.system(System.nanoTime()));
    }
    int status = Cli.run(args, CliContext.system(start));
    if (standby) {
      StandbySpawn.start();
    }
    System.exit(status);
  }

  /** The first TLS handshake's key pairs, made now (a standby process's warm-up). */
  public static void warmUpSession() {
    SessionStartWarmUp.run();
  }

  /**
   * A standby process's connection for the next session: the default kubeconfig's current context,
   * connected by server mode's discovery GET (what {@code --mode auto} asks first). Nothing when
   * direct requests cannot use that context (exec plugins, proxies). Returns the GET's status.
   */
  public static int prepareConnection(Environment env) {
    try {
      Optional<DirectConfig> config =
          Kubeconfig.read(Optional.empty(), Optional.empty(), env).connection();
      return config.isPresent() ? DirectClient.prepare(config.get(), GatewayRequest.DISCOVERY) : 0;
    } catch (GeneralSecurityException | RuntimeException e) {
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }
}
