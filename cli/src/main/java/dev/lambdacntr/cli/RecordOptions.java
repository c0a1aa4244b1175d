package dev.lambdacntr.cli;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** {@code --record FILE} and {@code --record-input}, of attach and execute. */
public final class RecordOptions {

  @Option(
      names = "--record",
      paramLabel = "FILE",
      description =
          "write the terminal session to FILE as an asciicast v2 recording (lambda-cntr replay"
              + " FILE, or asciinema play FILE); needs a terminal session")
  Path file;

  @Option(
      names = "--record-input",
      description = "with --record: record what you type too (passwords included)")
  boolean input;

  /** The file to record to, if any; refuses the options where there is nothing to record. */
  Optional<Path> file(boolean tty) {
    if (input && file == null) {
      throw new CntrException(ExitCode.USAGE, "--record-input needs --record FILE");
    }
    if (file != null && !tty) {
      throw new CntrException(
          ExitCode.USAGE,
          "--record "
              + file
              + ": only a terminal session is recorded (attach on a terminal, or -t)");
    }
    return Optional.ofNullable(file);
  }
}
