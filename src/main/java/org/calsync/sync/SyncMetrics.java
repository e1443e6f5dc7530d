package org.calsync.sync;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Sync meters: calsync_syncs_total{outcome}, calsync_sync_seconds, calsync_events_changed_total,
 * calsync_events_skipped_total (events a sync could not map; listed by status). Google calls are counted by
 * google.GoogleMetrics.
 */
public final class SyncMetrics {
  private final MeterRegistry registry;
  private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();
  private final Timer syncTimer;
  private final Counter eventsChanged;
  private final Counter eventsSkipped;

  public SyncMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.syncTimer = Timer.builder("calsync.sync").description("Duration of one integration sync").register(registry);
    this.eventsChanged = Counter.builder("calsync.events.changed").description("Mirror rows written or removed").register(registry);
    this.eventsSkipped = Counter.builder("calsync.events.skipped").description("Google events skipped as unmappable")
        .register(registry);
  }

  void skipped(int events) {
    if (events > 0) eventsSkipped.increment(events);
  }

  void sync(String outcome, long durationMillis, int changed) {
    counters.computeIfAbsent("sync|" + outcome, k -> Counter.builder("calsync.syncs").description("Integration syncs by outcome")
        .tag("outcome", outcome).register(registry)).increment();
    syncTimer.record(durationMillis, TimeUnit.MILLISECONDS);
    if (changed > 0) eventsChanged.increment(changed);
  }
}
