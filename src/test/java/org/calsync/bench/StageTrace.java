package org.calsync.bench;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.calsync.bus.Addresses;

/**
 * Where a freshness probe's time goes, from the workers' {@link Addresses#SYNC_COMPLETED} events of the probed
 * integrations: write to the start of the first sync that started after it (emulator delivery, webhook, debounce,
 * wake-up, waiting for a worker), and that sync's duration (claim to settle). Wall-clock milliseconds.
 */
final class StageTrace {
  private final Set<Long> watched = ConcurrentHashMap.newKeySet();
  private final Map<Long, List<long[]>> syncs = new ConcurrentHashMap<>();

  StageTrace(Vertx vertx) {
    vertx.eventBus().<JsonObject>localConsumer(Addresses.SYNC_COMPLETED, m -> {
      JsonObject e = m.body();
      long id = e.getLong("integrationId");
      if (!watched.contains(id)) return;
      long start = e.getLong("startedAt");
      List<long[]> l = syncs.computeIfAbsent(id, k -> new ArrayList<>());
      synchronized (l) {
        l.add(new long[] {start, start + e.getLong("durationMs")});
      }
    });
  }

  /** Records the syncs of this integration from now on. */
  void watch(long integrationId) {
    watched.add(integrationId);
  }

  /** Percentiles of write-to-sync-start and sync duration over the probes (writtenAt: epoch ms of each write). */
  String report(long[] writtenAt, long[] integrationIds) {
    List<Long> waits = new ArrayList<>();
    List<Long> runs = new ArrayList<>();
    for (int i = 0; i < writtenAt.length; i++) {
      List<long[]> l = syncs.getOrDefault(integrationIds[i], List.of());
      long[] first = null;
      synchronized (l) {
        for (long[] s : l) if (s[0] >= writtenAt[i] && (first == null || s[0] < first[0])) first = s;
      }
      if (first == null) continue;
      waits.add(first[0] - writtenAt[i]);
      runs.add(first[1] - first[0]);
    }
    return String.format(Locale.ROOT, "  stages over %d probes with a traced sync: write -> sync start %s; sync (claim to settle) %s",
        waits.size(), pct(waits), pct(runs));
  }

  private static String pct(List<Long> values) {
    if (values.isEmpty()) return "-";
    long[] v = values.stream().mapToLong(Long::longValue).toArray();
    Arrays.sort(v);
    return String.format(Locale.ROOT, "p50 %d ms, p90 %d ms, p99 %d ms", at(v, 0.5), at(v, 0.9), at(v, 0.99));
  }

  private static long at(long[] sorted, double q) {
    return sorted[Math.min(sorted.length - 1, Math.max(0, (int) Math.ceil(q * sorted.length) - 1))];
  }
}
