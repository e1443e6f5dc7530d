package org.calsync.google;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Meters of every call to Google: calsync_google_calls_total{op,status,reason} (status 0: no response), and the
 * throttle's calsync_google_throttle_limit, _in_flight, _waiting, calsync_google_throttle_permits_total (calls
 * admitted) and calsync_google_throttle_rate_limited_total.
 */
final class GoogleMetrics {
  private final MeterRegistry registry;
  private final ConcurrentHashMap<String, Counter> calls = new ConcurrentHashMap<>();

  GoogleMetrics(MeterRegistry registry, GoogleThrottle throttle) {
    this.registry = registry;
    Gauge.builder("calsync.google.throttle.limit", throttle, GoogleThrottle::limit)
        .description("Google calls allowed in flight (AIMD)").register(registry);
    Gauge.builder("calsync.google.throttle.in.flight", throttle, GoogleThrottle::inFlight)
        .description("Google calls in flight").register(registry);
    Gauge.builder("calsync.google.throttle.waiting", throttle, GoogleThrottle::waiting)
        .description("Google calls waiting for the throttle").register(registry);
    FunctionCounter.builder("calsync.google.throttle.permits", throttle, GoogleThrottle::acquiredCount)
        .description("Google Calendar calls admitted by the throttle").register(registry);
    FunctionCounter.builder("calsync.google.throttle.rate.limited", throttle, GoogleThrottle::rateLimitedCount)
        .description("Google Calendar calls answered with a rate limit").register(registry);
  }

  void call(String op, int status, String reason) {
    calls.computeIfAbsent(op + '|' + status + '|' + reason, k -> Counter.builder("calsync.google.calls")
        .description("Google API calls by outcome").tag("op", op).tag("status", Integer.toString(status))
        .tag("reason", reason).register(registry)).increment();
  }
}
