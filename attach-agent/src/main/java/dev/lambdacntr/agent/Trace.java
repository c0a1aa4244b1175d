package dev.lambdacntr.agent;

import java.util.ArrayList;
import java.util.List;

/**
 * Step timings when {@code LAMBDA_CNTR_TRACE=1}: what the attach-latency benchmark and a puzzled
 * operator read. Steps are recorded in memory and printed to stderr by {@link #flush()} (right
 * before the agent hands over, or ends), so that printing does not distort what it measures. Silent
 * otherwise.
 */
public final class Trace {
  private static final boolean ON = "1".equals(System.getenv("LAMBDA_CNTR_TRACE"));
  private static final long START = System.nanoTime();
  private static final List<String> STEPS = new ArrayList<>();
  private static final List<Long> TIMES = new ArrayList<>();

  private Trace() {}

  public static synchronized void step(String what) {
    if (ON) {
      TIMES.add(System.nanoTime() - START);
      STEPS.add(what);
    }
  }

  /** Prints the steps recorded so far. */
  public static synchronized void flush() {
    if (!ON) {
      return;
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < STEPS.size(); i++) {
      long micros = TIMES.get(i) / 1000;
      out.append("lambda-cntr-agent: ")
          .append(micros / 1000)
          .append('.')
          .append((micros % 1000) / 100)
          .append(" ms ")
          .append(STEPS.get(i))
          .append('\n');
    }
    STEPS.clear();
    TIMES.clear();
    System.err.print(out);
    System.err.flush();
  }
}
