package dev.lambdacntr.cli;

import dev.lambdacntr.target.Version;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Defaults that come from the environment: {@code CNTR_IMAGE}, {@code SOCKET_PATH}, {@code
 * LAMBDA_CNTR_MODE} and {@code LAMBDA_CNTR_REASON} (a flag on the command line wins).
 */
final class EnvDefaults implements IDefaultValueProvider {

  /** The variable that sets {@code --mode}. */
  static final String MODE = "LAMBDA_CNTR_MODE";

  /** The variable that sets {@code --reason}. */
  static final String REASON = "LAMBDA_CNTR_REASON";

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
      case "--mode" -> env.get(MODE).orElse(null);
      case "--reason" -> env.get(REASON).filter(r -> !r.isBlank()).orElse(null);
      default -> null;
    };
  }
}
