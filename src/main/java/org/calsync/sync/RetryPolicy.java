package org.calsync.sync;

import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;
import org.calsync.google.GoogleApiException;

/**
 * When to try a Google call again, and after how long. Network errors and 5xx: 3 attempts in all, exponential backoff
 * from 500 ms. Rate limits (403/429 rateLimitExceeded, userRateLimitExceeded): truncated exponential backoff,
 * min(2^n s + random ms up to 1 s, 32 s), honouring Retry-After, 6 attempts. 401: one forced token refresh.
 * The static methods give the job-level delays, once the in-sync retries are spent.
 */
public record RetryPolicy(int transientAttempts, long transientBaseMillis, int rateLimitAttempts, long maxBackoffMillis) {
  public static RetryPolicy defaults() {
    return new RetryPolicy(3, 500, 6, 32_000);
  }

  /** Delay before attempt number attempt+1, or -1 to give up. attempt counts from 1. */
  public long delayAfter(GoogleApiException e, int attempt) {
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    switch (e.kind()) {
      case TRANSIENT, MALFORMED -> {
        if (attempt >= transientAttempts) return -1;
        long base = transientBaseMillis << (attempt - 1);
        return base + rnd.nextLong(base / 2 + 1);
      }
      case RATE_LIMIT -> {
        if (attempt >= rateLimitAttempts) return -1;
        long backoff = Math.min(maxBackoffMillis, (1000L << (attempt - 1)) + rnd.nextLong(1001));
        return e.retryAfterSeconds() >= 0 ? Math.max(backoff, e.retryAfterSeconds() * 1000) : backoff;
      }
      default -> {
        return -1;
      }
    }
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
