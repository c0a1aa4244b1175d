package dev.lambdacntr.cli;

import dev.lambdacntr.target.Version;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/** Defaults that come from the environment: {@code CNTR_IMAGE} and {@code SOCKET_PATH}. */
final class EnvDefaults implements IDefaultValueProvider {

  private final Environment env;

  EnvDefaults(Environment env) {
    this.env = env;
  }

  @Override
  public String defaultValue(ArgSpec arg) {
    if (!(arg instanceof OptionSpec option)) {
      return null;
    }
    return switch (option.longestName()) {
      case "--image" -> env.get("CNTR_IMAGE").orElse(Version.defaultImage());
      case "--socket-path" -> env.get("SOCKET_PATH").orElse(null);
      default -> null;
    };
  }
}
