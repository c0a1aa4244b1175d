package dev.lambdacntr.e2e;

import dev.lambdacntr.cli.Version;
import java.util.Optional;

/**
 * The slim targets of the use-case tests ({@code images/build target-gdb target-python}), by
 * default {@code ghcr.io/lambda-cntr/NAME:VERSION}; {@code LAMBDA_CNTR_E2E_GDB_IMAGE} and {@code
 * LAMBDA_CNTR_E2E_PYTHON_IMAGE} name others.
 */
final class UseCaseImages {

  private UseCaseImages() {}

  /** A static C program with its debug information, user 65532, no shell. */
  static String gdbTarget() {
    return image("LAMBDA_CNTR_E2E_GDB_IMAGE", "target-gdb");
  }

  /** Debian's python3.11 alone and {@code /app/app.py}, user 65532, no shell. */
  static String pythonTarget() {
    return image("LAMBDA_CNTR_E2E_PYTHON_IMAGE", "target-python");
  }

  private static String image(String variable, String name) {
    return Optional.ofNullable(System.getenv(variable))
        .filter(v -> !v.isBlank())
        .orElse("ghcr.io/lambda-cntr/" + name + ":" + Version.version());
  }
}
