package org.calsync.config;

import io.vertx.core.json.JsonObject;

/**
 * Section "sync".
 * <ul>
 *   <li>intervalMinutes: automatic sync cycle (default 30)</li>
 *   <li>stagger: spread a cycle's jobs over the interval (default true)</li>
 *   <li>maxConcurrent: syncs in flight per process (default 256)</li>
 *   <li>pageSize: events.list maxResults (default 250, max 2500)</li>
 *   <li>maxAttempts: job attempts before failed_jobs (default 3)</li>
 *   <li>maxDeleteShare: refuse a sync deleting more than this share of a calendar's mirrored events (tombstones of events never mirrored do not count) (default 0.5)</li>
 *   <li>maxDeleteMinimum: deletions always allowed below this count (default 20)</li>
 *   <li>leaseSeconds: how long a claimed job stays ours without renewal (default 300)</li>
 *   <li>pollMs: idle queue poll (default 1000)</li>
 *   <li>storeEventText: keep summaries in the mirror (default false: busy time only)</li>
 *   <li>projectRequestsPerMinute: Google per-project quota to stay under, per process: with N daemons on one
 *       database set the project's quota / N (default 10000)</li>
 *   <li>maxFullSyncs: full listings (initial sync, after 410) in flight per process (default min(maxConcurrent,
 *       max(8, 32000 / pageSize)): 128 at pageSize 250, 12 at 2500). Each holds one parsed page; the default bounds the
 *       parsed events in flight (32,000) rather than the syncs, which at pageSize 250 cut first-sync throughput when
 *       it was 64</li>
 *   <li>retryBaseSeconds: first job-level retry delay, doubled per attempt up to 15 min, each delay drawn between half
 *       and all of that (default 30)</li>
 *   <li>calendarListMinutes: a scheduled or push-triggered sync skips calendarList (rediscovering the calendars) when the
 *       integration's calendar list was checked less than this long ago, and syncs the busy calendars known; manual
 *       syncs, a missing calendarList token and the daily full listing always check (default 60; 0: every sync checks)</li>
 * </ul>
 */
public record SyncConfig(int intervalMinutes, boolean stagger, int maxConcurrent, int pageSize, int maxAttempts,
                         double maxDeleteShare, int maxDeleteMinimum, int leaseSeconds, int pollMs,
                         boolean storeEventText, int projectRequestsPerMinute, int retryBaseSeconds, int maxFullSyncs,
                         int calendarListMinutes) {
  /** Parsed events full listings may hold at once by default (one page each): maxFullSyncs = this / pageSize. */
  static final int FULL_SYNC_EVENTS_IN_FLIGHT = 32_000;

  static SyncConfig fromJson(JsonObject root) {
    Json j = new Json(root, "sync");
    int maxConcurrent = (int) j.integer("maxConcurrent", 256, 1, 10_000);
    int pageSize = (int) j.integer("pageSize", 250, 1, 2500);
    return new SyncConfig(
        (int) j.integer("intervalMinutes", 30, 1, 24 * 60),
        j.bool("stagger", true),
        maxConcurrent,
        pageSize,
        (int) j.integer("maxAttempts", 3, 1, 100),
        j.decimal("maxDeleteShare", 0.5, 0.0, 1.0),
        (int) j.integer("maxDeleteMinimum", 20, 0, 1_000_000),
        (int) j.integer("leaseSeconds", 300, 5, 86_400),
        (int) j.integer("pollMs", 1000, 10, 60_000),
        j.bool("storeEventText", false),
        (int) j.integer("projectRequestsPerMinute", 10_000, 1, 10_000_000),
        (int) j.integer("retryBaseSeconds", 30, 0, 3600),
        (int) j.integer("maxFullSyncs", Math.min(maxConcurrent, Math.max(8, FULL_SYNC_EVENTS_IN_FLIGHT / pageSize)), 1, 10_000),
        (int) j.integer("calendarListMinutes", 60, 0, 24 * 60));
  }
}
