package dev.lambdacntr.cli;

import dev.lambdacntr.cli.install.ServerManifests;
import picocli.CommandLine.Option;

/** {@code -n/--namespace} of install, status and uninstall: where server mode lives. */
final class ServerNamespaceOption {

  @Option(
      names = {"-n", "--namespace"},
      paramLabel = "NAMESPACE",
      defaultValue = ServerManifests.DEFAULT_NAMESPACE,
      description =
          "the namespace of server mode's gateway and node agents, as install made it (default:"
              + " ${DEFAULT-VALUE})")
  String namespace = ServerManifests.DEFAULT_NAMESPACE;
}
