package org.calsync.emulator;

import io.vertx.core.json.JsonObject;

/**
 * One stored event row (single event, recurring master, or exception instance). Guarded by the state lock.
 * {@code data} is the full resource as events.get returns it and is never mutated after publication (mutations
 * replace it), so it can be serialized outside the lock. Bulk-seeded rows keep {@code data == null} and are
 * rendered on demand from the compact fields to keep millions of events affordable.
 */
final class StoredEvent {
  final String id;
  /** Creation order inside the calendar; the stable order of full listings. */
  final int ord;
  long seq;
  long etag;
  long createdMs;
  long updatedMs;
  int sequence;
  String status = "confirmed";
  boolean transparent;
  boolean allDay;
  /** First start; for masters endMs is the end of the series (Long.MAX_VALUE when unbounded). */
  long startMs;
  long endMs;
  long durMs;
  Recurrence rule;
  String recurringEventId;
  long originalStartMs;
  JsonObject data;
  int seedSummary;


  StoredEvent(String id, int ord) {
    this.id = id;
    this.ord = ord;
  }

  boolean cancelled() { return "cancelled".equals(status); }
  boolean isMaster() { return rule != null; }
  boolean isException() { return recurringEventId != null; }
}
