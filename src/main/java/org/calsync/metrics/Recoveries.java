package org.calsync.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Failures the process handles by itself: it retries, re-claims or re-buffers, so no person needs to act. Such a
 * failure is logged at WARN (ERROR is kept for what needs a person) and counted here, process-wide, as
 * calsync_recovered_failures_total{kind}: a steady trickle is normal, a surge says a dependency is struggling.
 * Any package may count into it.
 */
public final class Recoveries {
  /** What failed. */
  public enum Kind {
    /** A statement to PostgreSQL (lease renewal, claim, settling, audit write, scheduler tick, metrics read). */
    DATABASE,
    /** A call to Google, retried within the same piece of work (see google.RetryPolicy). */
    GOOGLE,
    /** A whole sync attempt, retried later as a job (attempts below sync.maxAttempts, or rate limited). */
    SYNC;

    String tag() {
      return name().toLowerCase();
    }
  }

  private static final Map<Kind, LongAdder> COUNTS = new EnumMap<>(Kind.class);

  static {
    for (Kind k : Kind.values()) COUNTS.put(k, new LongAdder());
  }

  private Recoveries() {
  }

  public static void count(Kind kind) {
    COUNTS.get(kind).increment();
  }

  public static long total(Kind kind) {
    return COUNTS.get(kind).sum();
  }

  /** Exposes the counts in the registry (every kind, zero included, so alert rules always find the series). */
  public static void bindTo(MeterRegistry registry) {
    for (Kind k : Kind.values()) {
      FunctionCounter.builder("calsync.recovered.failures", COUNTS.get(k), LongAdder::sum)
          .description("Failures handled without a person (retried, re-claimed, re-buffered), logged at WARN")
          .tag("kind", k.tag()).register(registry);
    }
  }
}
