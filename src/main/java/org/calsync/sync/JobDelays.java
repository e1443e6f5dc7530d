package org.calsync.sync;

import java.util.random.RandomGenerator;

/** Job-level delays: when a sync job runs again once the in-call retries ({@link org.calsync.google.RetryPolicy}) are spent. */
public final class JobDelays {
  private JobDelays() {
  }

  /** Upper bound of every job-level delay. */
  public static final long MAX_JOB_DELAY_MILLIS = 15 * 60_000L;

  /**
   * Delay before a failed job runs again: uniformly random in [d/2, d], d = min(15 min, base * 2^(attempt-1)), so
   * that jobs that failed together do not come back together. attempt counts from 1.
   */
  public static long jobBackoffMillis(long baseMillis, int attempt, RandomGenerator rnd) {
    return halfJitter(exponential(baseMillis, attempt - 1), rnd);
  }

  /**
   * Delay before a job whose run ended rate limited runs again: uniformly random in [d/2, d],
   * d = min(15 min, base * 2^(earlier+1)); earlier counts the consecutive rate-limited runs before this one.
   */
  public static long rateLimitedJobMillis(long baseMillis, int earlier, RandomGenerator rnd) {
    return halfJitter(exponential(baseMillis, earlier + 1), rnd);
  }

  static long exponential(long baseMillis, int doublings) {
    if (baseMillis <= 0) return 0;
    int n = Math.max(0, Math.min(doublings, 30));
    return baseMillis > MAX_JOB_DELAY_MILLIS >> n ? MAX_JOB_DELAY_MILLIS : Math.min(MAX_JOB_DELAY_MILLIS, baseMillis << n);
  }

  private static long halfJitter(long d, RandomGenerator rnd) {
    return d - rnd.nextLong(d / 2 + 1);
  }
}
