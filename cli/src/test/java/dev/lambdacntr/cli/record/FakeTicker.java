package dev.lambdacntr.cli.record;

import java.util.ArrayList;
import java.util.List;

/** A clock that moves only when waited on, and remembers each wait (nanoseconds). */
final class FakeTicker implements AsciicastPlayer.Ticker {

  long now = 1_000_000_000L;
  final List<Long> sleeps = new ArrayList<>();

  @Override
  public long nanoTime() {
    return now;
  }

  @Override
  public void sleep(long nanos) {
    sleeps.add(nanos);
    now += nanos;
  }

  /** Time passing outside a wait (writing the output, say). */
  void advance(long nanos) {
    now += nanos;
  }
}
