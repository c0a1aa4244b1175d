package dev.lambdacntr.cli.record;

import dev.lambdacntr.protocol.CntrException;
import dev.lambdacntr.protocol.ExitCode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * Plays a recording's output with its timing: each pause between events divided by the speed, and
 * none longer than the idle cap (asciinema's {@code idle_time_limit}). Waits on a {@link Ticker},
 * against the start of playback, so the time spent writing does not add up.
 */
public final class AsciicastPlayer {

  /** The clock playback waits on; a test's advances only when waited on. */
  public interface Ticker {
    /** Now, as {@link System#nanoTime}. */
    long nanoTime();

    /** Waits {@code nanos}. */
    void sleep(long nanos) throws InterruptedException;

    /** The system's. */
    static Ticker system() {
      return new Ticker() {
        @Override
        public long nanoTime() {
          return System.nanoTime();
        }

        @Override
        public void sleep(long nanos) throws InterruptedException {
          Thread.sleep(Duration.ofNanos(nanos));
        }
      };
    }
  }

  /**
   * How fast to play.
   *
   * @param speed the factor: 2 plays twice as fast
   * @param maxWait the longest pause, in the recording's time, if capped
   */
  public record Pace(double speed, Optional<Duration> maxWait) {
    public Pace {
      if (!(speed > 0) || Double.isInfinite(speed)) {
        throw new CntrException(ExitCode.USAGE, "--speed must be a positive number, not " + speed);
      }
      if (maxWait.isPresent() && maxWait.get().isNegative()) {
        throw new CntrException(ExitCode.USAGE, "--max-wait must not be negative");
      }
    }
  }

  private final Ticker ticker;
  private final Pace pace;

  public AsciicastPlayer(Ticker ticker, Pace pace) {
    this.ticker = ticker;
    this.pace = pace;
  }

  /** Writes the recording's output events to {@code out}, each at its time. */
  public void play(AsciicastReader recording, OutputStream out) {
    long start = ticker.nanoTime();
    double previous = 0;
    double played = 0;
    for (Optional<AsciicastEvent> next = recording.next();
        next.isPresent();
        next = recording.next()) {
      AsciicastEvent event = next.get();
      if (!event.code().equals(AsciicastEvent.OUTPUT)) {
        continue;
      }
      played += pause(event.seconds() - previous);
      previous = Math.max(previous, event.seconds());
      waitUntil(start + (long) (played * 1e9));
      write(out, event.data());
    }
  }

  /** The pause before an event {@code gap} seconds after the last, at this pace. */
  double pause(double gap) {
    double capped = Math.max(gap, 0);
    if (pace.maxWait().isPresent()) {
      capped = Math.min(capped, pace.maxWait().get().toNanos() / 1e9);
    }
    return capped / pace.speed();
  }

  private void waitUntil(long deadline) {
    long left = deadline - ticker.nanoTime();
    if (left <= 0) {
      return;
    }
    try {
      ticker.sleep(left);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CntrException(ExitCode.INTERNAL, "replay interrupted", e);
    }
  }

  private static void write(OutputStream out, String data) {
    try {
      out.write(data.getBytes(StandardCharsets.UTF_8));
      out.flush();
    } catch (IOException e) {
      throw new CntrException(
          ExitCode.INTERNAL, "cannot write the replay to stdout: " + e.getMessage(), e);
    }
  }
}
