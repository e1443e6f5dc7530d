package org.calsync.sync;

import io.vertx.core.json.JsonArray;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.calsync.mirror.Mirror.EventRow;

/**
 * One events.list page sorted into mirror writes. An id listed twice counts once, its last version winning (Google
 * may list an event again after a change during the listing). An event that cannot be mapped is skipped with the
 * reason; only an item without an id fails the page ({@link IllegalArgumentException}: nothing can be said about it).
 *
 * @param upserts live events and cancelled exceptions of recurring series, to write
 * @param deletions ids of deleted events
 * @param skipped ids of unmappable events to the reason
 */
record PageChanges(List<EventRow> upserts, List<String> deletions, Map<String, String> skipped) {

  static PageChanges of(JsonArray items, EventMapper mapper) {
    Map<String, Object> last = new LinkedHashMap<>();
    for (Object item : items.getList()) {
      Map<String, Object> e = EventMapper.event(item);
      String id = (String) e.get("id");
      last.remove(id); // keeps the map in listing order of the last versions
      if (EventMapper.isDeletion(e)) {
        last.put(id, Boolean.TRUE);
        continue;
      }
      try {
        last.put(id, mapper.map(e));
      } catch (RuntimeException ex) {
        last.put(id, reason(ex));
      }
    }
    List<EventRow> upserts = new ArrayList<>();
    List<String> deletions = new ArrayList<>();
    Map<String, String> skipped = new LinkedHashMap<>();
    last.forEach((id, v) -> {
      if (v instanceof EventRow row) {
        upserts.add(row);
      } else if (v instanceof String reason) {
        skipped.put(id, reason);
      } else {
        deletions.add(id);
      }
    });
    return new PageChanges(upserts, deletions, skipped);
  }

  private static final int MAX_REASON = 300;

  private static String reason(RuntimeException ex) {
    String m = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
    return m.length() <= MAX_REASON ? m : m.substring(0, MAX_REASON) + "...";
  }

  boolean isEmpty() {
    return upserts.isEmpty() && deletions.isEmpty() && skipped.isEmpty();
  }

  /** Ids written or deleted (no longer skipped). */
  List<String> settledIds() {
    List<String> ids = new ArrayList<>(upserts.size() + deletions.size());
    for (EventRow r : upserts) ids.add(r.id());
    ids.addAll(deletions);
    return ids;
  }
}
