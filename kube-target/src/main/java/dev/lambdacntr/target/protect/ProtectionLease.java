package dev.lambdacntr.target.protect;

import java.time.Duration;

/**
 * How long a session's hold on the marks lasts without renewal, and how often its holder renews it:
 * a live holder renews well before expiry, so that only a dead holder's marks ever expire (and are
 * then removed by whoever sweeps: {@link ExpiredMarks}).
 *
 * @param ttl how long one hold lasts
 * @param renewEvery how often it is renewed; less than {@code ttl}
 */
public record ProtectionLease(Duration ttl, Duration renewEvery) {

  /** The CLI's lease: 3 minutes, renewed every minute. */
  public static final ProtectionLease CLI = new ProtectionLease(Duration.ofMinutes(3));

  public ProtectionLease {
    if (ttl.isNegative() || ttl.isZero() || renewEvery.compareTo(ttl) >= 0) {
      throw new IllegalArgumentException(
          "a protection lease needs 0 < renewal (" + renewEvery + ") < ttl (" + ttl + ")");
    }
  }

  /**
   * A lease of {@code ttl} renewed three times within it, so that one failed renewal is harmless.
   */
  public ProtectionLease(Duration ttl) {
    this(ttl, ttl.dividedBy(3));
  }
}
