package org.calsync.emulator;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.TreeMap;

/**
 * One calendar: rows by id, creation order (never shrinks: tombstones are kept, ids stay reserved) and a change
 * index keyed by the change sequence holding each row at its latest sequence. Guarded by the state lock.
 */
final class CalendarData {
  final int index;
  final String id;
  final String owner;
  final String summary;
  final String timeZone;
  final ZoneId zone;
  final String resourceId;
  HashMap<String, StoredEvent> byId = new HashMap<>();
  final ArrayList<StoredEvent> order = new ArrayList<>();
  final TreeMap<Long, StoredEvent> changes = new TreeMap<>();
  /** Rows whose seq is <= bulkSeq may be absent from {@link #changes} (bulk seeding). */
  long bulkSeq = -1;
  long lastSeq;
  /** Sync tokens older than this are answered with 410 fullSyncRequired. */
  long invalidBefore;
  long updatedMs;

  CalendarData(int index, String id, String owner, String summary, String timeZone, String resourceId, long seq, long now) {
    this.index = index;
    this.id = id;
    this.owner = owner;
    this.summary = summary;
    this.timeZone = timeZone;
    this.zone = ZoneId.of(timeZone);
    this.resourceId = resourceId;
    this.lastSeq = seq;
    this.updatedMs = now;
  }

  /** Pre-sizes the indexes before adding {@code more} rows. */
  void reserve(int more) {
    order.ensureCapacity(order.size() + more);
    if (byId.isEmpty()) byId = new HashMap<>((int) (more / 0.75f) + 16);
  }

  StoredEvent newRow(String eventId) {
    StoredEvent e = new StoredEvent(eventId, order.size());
    byId.put(eventId, e);
    order.add(e);
    return e;
  }

  /** Records a change of {@code e} at {@code seq} (a fresh, globally increasing value). */
  void changed(StoredEvent e, long seq, long now) {
    if (e.seq > 0 && changes.get(e.seq) == e) changes.remove(e.seq);
    e.seq = seq;
    changes.put(seq, e);
    lastSeq = seq;
    updatedMs = now;
  }

  String etag() {
    return "\"" + (3_000_000_000_000_000L + lastSeq * 1000) + "\"";
  }
}
