package dev.lambdacntr.cli;

import dev.lambdacntr.cli.record.AsciicastPlayer;
import dev.lambdacntr.cli.record.AsciicastReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lambda-cntr replay FILE}: a recorded session ({@code --record}) played on stdout. */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    versionProvider = LambdaCntrCommand.VersionProvider.class,
    description = {
      "Play a session recorded with --record (an asciicast v2 file, which asciinema plays too) on"
          + " this terminal, with its timing.",
      "Exits 64 naming the file and the line when it cannot be read or is not an asciicast v2"
          + " file."
    })
final class ReplayCommand implements Callable<Integer> {

  private final CliContext context;

  @Parameters(index = "0", paramLabel = "FILE", description = "the recording")
  Path file;

  @Option(
      names = "--speed",
      paramLabel = "N",
      defaultValue = "1",
      description = "play N times as fast (default: ${DEFAULT-VALUE}; 0.5 is half as fast)")
  double speed = 1;

  @Option(
      names = "--max-wait",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "no pause longer than this, in the recording's time (such as 2s; default: none)")
  Duration maxWait;

  ReplayCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    AsciicastPlayer player =
        new AsciicastPlayer(
            AsciicastPlayer.Ticker.system(),
            new AsciicastPlayer.Pace(speed, Optional.ofNullable(maxWait)));
    try (AsciicastReader recording = AsciicastReader.open(file)) {
      player.play(recording, context.stdout());
    }
    return 0;
  }
}
