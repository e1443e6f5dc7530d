package org.calsync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Job-level retry delays: exponential, capped, and spread uniformly over [d/2, d]. */
class JobDelaysTest {
  private static final long CAP = JobDelays.MAX_JOB_DELAY_MILLIS;

  @Test
  void failedJobDelayDoublesPerAttemptWithinHalfJitterAndTheCap() {
    SplittableRandom rnd = new SplittableRandom(7);
    for (int attempt = 1; attempt <= 100; attempt++) {
      long d = Math.min(CAP, 30_000L * (1L << Math.min(attempt - 1, 20)));
      int a = attempt;
      assertSpread(attempt, d, () -> JobDelays.jobBackoffMillis(30_000, a, rnd));
    }
  }

  @Test
  void rateLimitedJobDelayStartsAtTwiceTheBaseAndDoublesPerEarlierRateLimitedRun() {
    SplittableRandom rnd = new SplittableRandom(11);
    for (int earlier = 0; earlier <= 100; earlier++) {
      long d = Math.min(CAP, 30_000L * (1L << Math.min(earlier + 1, 20)));
      int e = earlier;
      assertSpread(earlier, d, () -> JobDelays.rateLimitedJobMillis(30_000, e, rnd));
    }
  }

  @Test
  void zeroBaseMeansNoDelayAndHugeBasesStayCapped() {
    SplittableRandom rnd = new SplittableRandom(3);
    assertThat(JobDelays.jobBackoffMillis(0, 5, rnd)).isZero();
    assertThat(JobDelays.rateLimitedJobMillis(0, 5, rnd)).isZero();
    assertThat(JobDelays.jobBackoffMillis(3_600_000, 1, rnd)).isBetween(CAP / 2, CAP);
    assertThat(JobDelays.rateLimitedJobMillis(Long.MAX_VALUE / 2, 62, rnd)).isBetween(CAP / 2, CAP);
  }

  private static void assertSpread(int step, long d, java.util.function.LongSupplier delay) {
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (int i = 0; i < 400; i++) {
      long v = delay.getAsLong();
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    assertThat(min).as("step %d: lowest of 400 draws", step).isGreaterThanOrEqualTo(d / 2).isLessThan(d / 2 + d / 10);
    assertThat(max).as("step %d: highest of 400 draws", step).isLessThanOrEqualTo(d).isGreaterThan(d - d / 10);
  }
}
