package dev.lambdacntr.cli.copy;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the bytes of file content a copy moves and, once it has run for a few seconds, reports
 * them on stderr every two seconds and once at the end; quiet, it only counts.
 */
final class TransferMeter implements AutoCloseable {

  private static final long FIRST_REPORT_NANOS = 3_000_000_000L;
  private static final long REPORT_EVERY_MILLIS = 2_000;

  private final AtomicLong bytes = new AtomicLong();
  private final long start = System.nanoTime();
  private final PrintStream stderr;
  private final Thread reporter;
  private volatile boolean reported;
  private boolean closed;

  private TransferMeter(PrintStream stderr, boolean quiet) {
    this.stderr = stderr;
    this.reporter =
        quiet ? null : Thread.ofPlatform().daemon().name("cp-progress").start(this::run);
  }

  static TransferMeter start(PrintStream stderr, boolean quiet) {
    return new TransferMeter(stderr, quiet);
  }

  void add(long n) {
    bytes.addAndGet(n);
  }

  long bytes() {
    return bytes.get();
  }

  private void run() {
    try {
      Thread.sleep(FIRST_REPORT_NANOS / 1_000_000);
      while (true) {
        report("");
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
    if (reported) {
      report(", done");
    }
  }
}
