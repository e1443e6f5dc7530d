package org.calsync.google;

import java.util.concurrent.ThreadLocalRandom;

/**
 * When to try a Google call again, and after how long. Network errors and 5xx: 3 attempts in all, exponential backoff
 * from 500 ms. Rate limits (403/429 rateLimitExceeded, userRateLimitExceeded): truncated exponential backoff,
 * min(2^(n-1) s + random ms up to 1 s, 32 s), and never sooner than Retry-After; 6 attempts. Other failures are not
 * retried here (401 is {@link GoogleCall}'s one forced token refresh).
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
}
