package dev.lambdacntr.e2e;

import dev.lambdacntr.target.Version;
import java.util.Optional;

/**
 * The slim and hostile targets of the use-case and security tests ({@code images/build target-gdb
 * target-python target-hostile}), by default {@code ghcr.io/lambda-cntr/NAME:VERSION}; {@code
 * LAMBDA_CNTR_E2E_GDB_IMAGE}, {@code LAMBDA_CNTR_E2E_PYTHON_IMAGE} and {@code
 * LAMBDA_CNTR_E2E_HOSTILE_IMAGE} name others.
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

  /**
   * Busybox as root whose main process attacks every session opened on it and logs each attempt
   * (images/src/hostile-probe.c), with an environment that would hijack the tools.
   */
  static String hostileTarget() {
    return image("LAMBDA_CNTR_E2E_HOSTILE_IMAGE", "target-hostile");
  }

  private static String image(String variable, String name) {
    return Optional.ofNullable(System.getenv(variable))
        .filter(v -> !v.isBlank())
        .orElse("ghcr.io/lambda-cntr/" + name + ":" + Version.version());
  }
}
