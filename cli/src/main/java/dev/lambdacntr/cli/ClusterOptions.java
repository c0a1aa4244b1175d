package dev.lambdacntr.cli;

import dev.lambdacntr.cli.agent.AgentNames;
import dev.lambdacntr.cli.protect.ProtectionGuardian;
import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/** Which cluster to talk to, how long to wait, and how much to say: every command has them. */
public final class ClusterOptions {

  @Option(
      names = "--context",
      paramLabel = "CONTEXT",
      description = "kubeconfig context (default: the current context)")
  Optional<String> context = Optional.empty();

  @Option(
      names = "--kubeconfig",
      paramLabel = "FILE",
      description = "kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)")
  Optional<Path> kubeconfig = Optional.empty();

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      defaultValue = "2m",
      description =
          "how long to wait for the agent to become ready and the session to open"
              + " (default: ${DEFAULT-VALUE})")
  Duration timeout = Duration.ofMinutes(2);

  @Option(
      names = "--agent-namespace",
      paramLabel = "NAMESPACE",
      defaultValue = AgentNames.DEFAULT_NAMESPACE,
      description = "namespace of the agent pods, created when missing (default: ${DEFAULT-VALUE})")
  String agentNamespace = AgentNames.DEFAULT_NAMESPACE;

  @Option(
      names = {"-v", "--verbose"},
      description = "print every step, and the stack trace of an error")
  boolean verbose;

  @Option(
      names = {"-q", "--quiet"},
      description = "print nothing but errors and the session's own output")
  boolean quiet;

  /** Checks the combinations the annotations cannot express. */
  void validate() {
    if (verbose && quiet) {
      throw new CntrException(ExitCode.USAGE, "--verbose and --quiet cannot be combined");
    }
    if (timeout.isZero() || timeout.isNegative()) {
      throw new CntrException(
          ExitCode.USAGE, "--timeout must be positive, not " + DurationConverter.format(timeout));
    }
  }

  /** How a guardian process reaches the same cluster as this run to release a protection. */
  ProtectionGuardian.Spec guardian() {
    List<String> args = new ArrayList<>();
    kubeconfig.ifPresent(k -> args.addAll(List.of("--kubeconfig", k.toAbsolutePath().toString())));
    context.ifPresent(c -> args.addAll(List.of("--context", c)));
    return new ProtectionGuardian.Spec(ProtectionGuardian.Spec.thisJvm(), args, "", "", "");
  }

  Progress.Level level() {
    return quiet ? Progress.Level.QUIET : verbose ? Progress.Level.VERBOSE : Progress.Level.NORMAL;
  }
}
