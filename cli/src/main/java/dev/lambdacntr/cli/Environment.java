package dev.lambdacntr.cli;

import java.util.Map;
import java.util.Optional;

/**
 * The environment variables the CLI reads, injected so tests can set them.
 *
 * @param variables name to value
 */
public record Environment(Map<String, String> variables) {

  public Environment {
    variables = Map.copyOf(variables);
  }

  /** The process's own environment. */
  public static Environment system() {
    return new Environment(System.getenv());
  }

  /** A variable's value, empty when unset or blank. */
  public Optional<String> get(String name) {
    return Optional.ofNullable(variables.get(name)).filter(v -> !v.isBlank());
  }
}
