package org.calsync.push;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When a push notification's sync is due: a leading-edge debounce per integration. The first notification after a
 * quiet spell of at least spacingMs is due at once; a notification within spacingMs of the previous push sync's due
 * time is due spacingMs after it (so the change it reports is picked up by at most that one later sync), and every
 * further notification until then gets that same due time. Push syncs of one integration are thus due at least
 * spacingMs apart, however many notifications arrive. In memory, per process: after a restart the first notification
 * is due at once. Thread-safe.
 */
final class PushSpacing {
  private static final long SWEEP_EVERY_MILLIS = 10_000;

  private final long spacingMs;
  /** Integration id to the due time (epoch ms) of its latest push sync; entries spacingMs in the past are dropped. */
  private final Map<Long, Long> lastDue = new ConcurrentHashMap<>();
  private volatile long lastSweep;

  PushSpacing(long spacingMs) {
    this.spacingMs = spacingMs;
  }

  /** The due time (epoch ms, not before now) of the sync for a notification on this integration received at now. */
  long due(long integrationId, long now) {
    sweep(now);
    return lastDue.merge(integrationId, now, (previous, ignored) -> {
      if (previous >= now) return previous; // a sync already due later: this notification joins it
      return now - previous >= spacingMs ? now : previous + spacingMs;
    });
  }

  private void sweep(long now) {
    if (now - lastSweep < SWEEP_EVERY_MILLIS) return;
    lastSweep = now;
    lastDue.values().removeIf(due -> now - due >= spacingMs);
  }
}
