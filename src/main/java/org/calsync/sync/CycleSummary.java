package org.calsync.sync;

import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;

/**
 * The worker's INFO summary of a run of syncs (per-sync lines are DEBUG): how many ended in each outcome, how long the
 * run took and the slowest sync. A run ends when the worker has nothing in flight and its claim found no due job, or
 * after {@link #MAX_RUN_MILLIS} while it stays busy (a staggered cycle then logs about one line a minute). Confined to
 * the worker's event loop.
 */
final class CycleSummary {
  static final long MAX_RUN_MILLIS = 60_000;

  private final Logger log;
  private final Map<String, Integer> outcomes = new TreeMap<>();
  private long started = -1;
  private long slowestMs;

  CycleSummary(Logger log) {
    this.log = log;
  }

  void add(String outcome, long millis, long now) {
    if (started < 0) started = now - millis;
    outcomes.merge(outcome, 1, Integer::sum);
    slowestMs = Math.max(slowestMs, millis);
  }

  /** Logs and resets when the run ended (idle) or has lasted MAX_RUN_MILLIS; nothing when no sync finished. */
  void logIfEnded(boolean idle, long now) {
    if (started < 0 || (!idle && now - started < MAX_RUN_MILLIS)) return;
    int synced = outcomes.getOrDefault("synced", 0);
    int total = outcomes.values().stream().mapToInt(Integer::intValue).sum();
    log.atInfo().setMessage(idle ? "syncs finished" : "syncs running").addKeyValue("synced", synced)
        .addKeyValue("failed", total - synced - outcomes.getOrDefault("retry", 0))
        .addKeyValue("retried", outcomes.getOrDefault("retry", 0)).addKeyValue("outcomes", outcomes.toString())
        .addKeyValue("durationMs", now - started).addKeyValue("slowestMs", slowestMs).log();
    outcomes.clear();
    started = -1;
    slowestMs = 0;
  }
}
