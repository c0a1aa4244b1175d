package dev.lambdacntr.cli;

import dev.lambdacntr.cli.exec.WindowSize;
import dev.lambdacntr.cli.record.AsciicastHeader;
import dev.lambdacntr.cli.record.AsciicastWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The recording of one session, when {@code --record} asks for one: the file opened (and its header
 * written) before the session, closed after it.
 */
final class SessionRecording implements AutoCloseable {

  /** The size recorded when the local terminal's is unknown (a session with {@code -t} only). */
  static final WindowSize UNKNOWN_SIZE = new WindowSize(80, 24);

  private static final int STDIN = 0;

  private final Optional<AsciicastWriter> writer;

  private SessionRecording(Optional<AsciicastWriter> writer) {
    this.writer = writer;
  }

  /**
   * Opens the recording to {@code file}, if any, with the local terminal's size and its {@code
   * TERM} and {@code SHELL}.
   */
  static SessionRecording start(
      Optional<Path> file, boolean rawTerminal, Environment env, Consumer<String> warn) {
    if (file.isEmpty()) {
      return new SessionRecording(Optional.empty());
    }
    WindowSize size = rawTerminal ? WindowSize.of(STDIN).orElse(UNKNOWN_SIZE) : UNKNOWN_SIZE;
    Map<String, String> recorded = new LinkedHashMap<>();
    env.get("TERM").ifPresent(t -> recorded.put("TERM", t));
    env.get("SHELL").ifPresent(s -> recorded.put("SHELL", s));
    AsciicastHeader header =
        new AsciicastHeader(size.columns(), size.rows(), Instant.now().getEpochSecond(), recorded);
    return new SessionRecording(
        Optional.of(AsciicastWriter.create(file.get(), header, System::nanoTime, warn)));
  }

  /** {@code companion}, recording the session when there is a recording. */
  SessionCompanion around(SessionCompanion companion, boolean recordInput) {
    return writer
        .<SessionCompanion>map(w -> new RecordingCompanion(companion, w, recordInput))
        .orElse(companion);
  }

  @Override
  public void close() {
    writer.ifPresent(AsciicastWriter::close);
  }
}
