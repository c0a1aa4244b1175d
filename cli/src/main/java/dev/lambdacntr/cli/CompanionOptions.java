package dev.lambdacntr.cli;

import dev.lambdacntr.cli.forward.PortForwardOptions;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** What may run alongside a session: port forwards and the target's protection. */
public final class CompanionOptions {

  @Mixin PortForwardOptions forwards;

  @Option(
      names = "--protect",
      negatable = true,
      description =
          "while the session lasts, keep the pod from being chosen by a scale-down (highest"
              + " pod-deletion-cost), from cluster-autoscaler scale-downs and from evictions (a"
              + " PodDisruptionBudget), restored afterwards (default: on for attach, debug and"
              + " port-forward, off for execute)")
  Boolean protect;

  /** Whether to protect the target, given the command's default. */
  boolean protect(boolean byDefault) {
    return protect == null ? byDefault : protect;
  }
}
