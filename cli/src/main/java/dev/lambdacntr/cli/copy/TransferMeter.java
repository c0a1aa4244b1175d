package dev.lambdacntr.cli.copy;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the bytes of file content a copy moves and, once it has run for a few seconds and moved
 * some, reports them on stderr every two seconds and once at the end of a copy that succeeded (a
 * failed one ends with its error instead); quiet, it only counts.
 */
final class TransferMeter implements AutoCloseable {

  private static final long FIRST_REPORT_MILLIS = 3_000;
  private static final long REPORT_EVERY_MILLIS = 2_000;

  private final AtomicLong bytes = new AtomicLong();
  private final long start = System.nanoTime();
  private final PrintStream stderr;
  private final long firstReportMillis;
  private final Thread reporter;
  private volatile boolean reported;
  private boolean closed;

  TransferMeter(PrintStream stderr, boolean quiet, long firstReportMillis) {
    this.stderr = stderr;
    this.firstReportMillis = firstReportMillis;
    this.reporter =
        quiet ? null : Thread.ofPlatform().daemon().name("cp-progress").start(this::run);
  }

  static TransferMeter start(PrintStream stderr, boolean quiet) {
    return new TransferMeter(stderr, quiet, FIRST_REPORT_MILLIS);
  }

  void add(long n) {
    bytes.addAndGet(n);
  }

  long bytes() {
    return bytes.get();
  }

  private void run() {
    try {
      Thread.sleep(firstReportMillis);
      while (true) {
        // nothing moved yet: the session is still starting, which its own messages tell
        if (bytes.get() > 0) {
          report("");
        }
        Thread.sleep(REPORT_EVERY_MILLIS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void report(String end) {
    double seconds = Math.max((System.nanoTime() - start) / 1e9, 1e-3);
    long n = bytes.get();
    stderr.printf(
        Locale.ROOT,
        "cp: %s in %.0f s (%s/s)%s%n",
        size(n),
        seconds,
        size((long) (n / seconds)),
        end);
    reported = true;
  }

  static String size(long n) {
    if (n < 1024) {
      return n + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double value = n;
    int unit = -1;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
  }

  @Override
  public void close() {
    close(false);
  }

  /** Stops reporting; a copy that {@code succeeded} after reporting gets its last report. */
  void close(boolean succeeded) {
    if (reporter == null || closed) {
      return;
    }
    closed = true;
    reporter.interrupt();
    try {
      reporter.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (reported && succeeded) {
      report(", done");
    }
  }
}
