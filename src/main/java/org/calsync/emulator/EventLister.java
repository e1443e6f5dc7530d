package org.calsync.emulator;

import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * events.list / events.instances over one calendar (caller holds the state lock).
 *
 * <p>Orders: full listings follow creation order (stable; tombstones keep their place so positions never shift);
 * incremental listings follow the change sequence; orderBy=startTime|updated sorts the matching set and pages by
 * offset. Pages are bounded by the watermark taken at the first page: changes after it are not mixed into the
 * remaining pages but are returned by the next incremental sync from the final nextSyncToken.
 */
final class EventLister {
  private EventLister() {}

  private record Entry(JsonObject item, long startMs, long updatedMs) {}

  /** Collects up to {@code max} items and remembers where the next page starts. */
  private static final class Page {
    final int max;
    final List<Entry> items = new ArrayList<>();
    boolean stopped;
    long stopSeq;
    int stopOrd;
    int stopSub;

    Page(int max) { this.max = max; }

    /** True (and records the resume point) when the page is full and another item is waiting. */
    boolean full(long seq, int ord, int sub) {
      if (items.size() < max) return false;
      stopped = true;
      stopSeq = seq;
      stopOrd = ord;
      stopSub = sub;
      return true;
    }

    void add(JsonObject item, long start, long updated) { items.add(new Entry(item, start, updated)); }

    List<JsonObject> json() {
      List<JsonObject> out = new ArrayList<>(items.size());
      for (Entry e : items) out.add(e.item);
      return out;
    }
  }

  static ListResult list(CalendarData cal, ListParams p, long now) {
    return list(cal, p, now, -1);
  }

  /**
   * @param shortPage -1, or the emptyPages fault: the page holds at most this many items (fewer than maxResults) and
   *                  carries a nextPageToken even when nothing is left (the next page is then empty and final)
   */
  static ListResult list(CalendarData cal, ListParams p, long now, int shortPage) {
    long since = -1;
    if (p.syncToken() != null) {
      SyncTokens.Sync s = SyncTokens.parseSync(p.syncToken());
      if (s == null || s.calendar() != cal.index || s.seq() < cal.invalidBefore || s.seq() > cal.lastSeq
        || s.singleEvents() != p.singleEvents()) {
        throw GoogleErrors.fullSyncRequired();
      }
      since = s.seq();
      if (p.pageToken() == null && since == cal.lastSeq) return new ListResult(List.of(), null, p.syncToken());
    }
    SyncTokens.Page token = null;
    if (p.pageToken() != null) {
      token = SyncTokens.parsePage(p.pageToken());
      if (token == null || token.calendar() != cal.index || token.since() != since || token.queryHash() != p.queryHash()) {
        throw GoogleErrors.invalidParameter("pageToken");
      }
    }
    long watermark = token != null ? token.watermark() : cal.lastSeq;
    int limit = token != null ? token.limit() : cal.order.size();
    Page page;
    if (since >= 0) {
      page = new Page(shortPage >= 0 ? shortPage : p.maxResults());
      incremental(cal, p, since, watermark, token, page, now);
    } else if (p.orderBy() != null) {
      return sorted(cal, p, watermark, limit, token, now, shortPage);
    } else {
      page = new Page(shortPage >= 0 ? shortPage : p.maxResults());
      full(cal, p, token, limit, page, now);
    }
    if (page.stopped) {
      String next = SyncTokens.page(new SyncTokens.Page(cal.index, watermark, since, page.stopSeq, page.stopOrd,
        page.stopSub, limit, p.queryHash()));
      return new ListResult(page.json(), next, null);
    }
    if (shortPage >= 0 && !page.items.isEmpty()) {
      // nothing left, but a nextPageToken all the same: it leads to an empty, final page
      String next = since >= 0
        ? SyncTokens.page(new SyncTokens.Page(cal.index, watermark, since, watermark, Integer.MAX_VALUE, 0, limit, p.queryHash()))
        : SyncTokens.page(new SyncTokens.Page(cal.index, watermark, since, 0, limit, 0, limit, p.queryHash()));
      return new ListResult(page.json(), next, null);
    }
    return new ListResult(page.json(), null,
      p.issuesSyncToken() ? SyncTokens.sync(cal.index, watermark, p.singleEvents()) : null);
  }

  private static void incremental(CalendarData cal, ListParams p, long since, long watermark, SyncTokens.Page token,
                                   Page page, long now) {
    long fromSeq = token != null ? token.posSeq() : since + 1;
    int fromOrd = token != null ? token.posOrd() : 0;
    Iterable<StoredEvent> rows;
    if (since >= cal.bulkSeq) {
      rows = cal.changes.subMap(fromSeq, true, watermark, true).values();
    } else {
      List<StoredEvent> l = new ArrayList<>();
      for (StoredEvent e : cal.order) if (e.seq > since && e.seq <= watermark) l.add(e);
      l.sort(Comparator.<StoredEvent>comparingLong(e -> e.seq).thenComparingInt(e -> e.ord));
      rows = l;
    }
    for (StoredEvent e : rows) {
      if (e.seq < fromSeq || (e.seq == fromSeq && e.ord < fromOrd)) continue;
      int startSub = token != null && e.seq == token.posSeq() && e.ord == token.posOrd() ? token.sub() : 0;
      if (p.singleEvents() && e.isMaster()) {
        List<EventJson.Instance> ins = EventJson.instances(cal, e, now);
        for (int k = startSub; k < ins.size(); k++) {
          if (page.full(e.seq, e.ord, k)) return;
          EventJson.Instance in = ins.get(k);
          page.add(e.cancelled() || in.cancelled()
              ? p.showDeleted() ? cancelledInstance(cal, e, in) : instanceTombstone(cal, e, in)
            : EventJson.instanceJson(cal, e, in), in.startMs(), e.updatedMs);
        }
      } else {
        if (p.singleEvents() && e.isException() && emittedByMaster(cal, e, since, watermark, now)) continue;
        if (page.full(e.seq, e.ord, 0)) return;
        page.add(e.cancelled() && !p.showDeleted() ? EventJson.tombstone(cal, e) : EventJson.render(cal, e),
          e.startMs, e.updatedMs);
      }
    }
  }

  /** The full JSON of an instance that is cancelled itself or through its deleted series. */
  private static JsonObject cancelledInstance(CalendarData cal, StoredEvent master, EventJson.Instance in) {
    JsonObject json = EventJson.instanceJson(cal, master, in);
    return "cancelled".equals(json.getString("status")) ? json : json.copy().put("status", "cancelled");
  }

  /** True when the exception's series also changed in (since, watermark] and so emits it in its expansion. */
  private static boolean emittedByMaster(CalendarData cal, StoredEvent ex, long since, long watermark, long now) {
    StoredEvent master = cal.byId.get(ex.recurringEventId);
    if (master == null || !master.isMaster() || master.seq <= since || master.seq > watermark) return false;
    return EventJson.findInstance(cal, master, ex.id, now) != null;
  }

  private static JsonObject instanceTombstone(CalendarData cal, StoredEvent master, EventJson.Instance in) {
    if (in.exception() != null) return EventJson.tombstone(cal, in.exception());
    JsonObject full = EventJson.instanceJson(cal, master, in);
    return new JsonObject().put("kind", "calendar#event").put("etag", EventJson.etag(master.etag)).put("id", in.id())
      .put("status", "cancelled").put("recurringEventId", master.id).put("originalStartTime", full.getValue("originalStartTime"));
  }

  private static void full(CalendarData cal, ListParams p, SyncTokens.Page token, int limit, Page page, long now) {
    int from = token != null ? token.posOrd() : 0;
    for (int i = from; i < limit && i < cal.order.size(); i++) {
      StoredEvent e = cal.order.get(i);
      int startSub = token != null && i == token.posOrd() ? token.sub() : 0;
      if (p.singleEvents() && e.isMaster()) {
        List<EventJson.Instance> ins = EventJson.instances(cal, e, now);
        for (int k = startSub; k < ins.size(); k++) {
          EventJson.Instance in = ins.get(k);
          // a deleted series shows as cancelled instances (SPEC 2.1 showDeleted, 2.5)
          boolean cancelled = e.cancelled() || in.cancelled();
          long updated = in.exception() != null ? in.exception().updatedMs : e.updatedMs;
          if (e.cancelled()) updated = Math.max(updated, e.updatedMs);
          boolean deletedShown = p.showDeleted() || (p.updatedMin() != null && updated >= p.updatedMin());
          if (cancelled && !deletedShown) continue;
          if (!inWindow(p, in.startMs(), in.endMs()) || (p.updatedMin() != null && updated < p.updatedMin())) continue;
          JsonObject json = !cancelled ? EventJson.instanceJson(cal, e, in)
            : p.showDeleted() ? cancelledInstance(cal, e, in) : instanceTombstone(cal, e, in);
          if (!matchesContent(p, json)) continue;
          if (page.full(0, i, k)) return;
          page.add(json, in.startMs(), updated);
        }
        continue;
      }
      if (p.singleEvents() && e.isException()) {
        StoredEvent master = cal.byId.get(e.recurringEventId);
        if (master != null && master.isMaster()) continue; // emitted through the master's expansion
      }
      JsonObject json = fullEntry(cal, p, e);
      if (json == null) continue;
      if (page.full(0, i, 0)) return;
      page.add(json, e.startMs, e.updatedMs);
    }
  }

  /** The entry a full (non-incremental) listing shows for a stored row, or null when filtered out. */
  private static JsonObject fullEntry(CalendarData cal, ListParams p, StoredEvent e) {
    if (e.cancelled()) {
      boolean shown = p.showDeleted() || (p.updatedMin() != null && e.updatedMs >= p.updatedMin());
      if (!shown && !p.singleEvents() && e.isException()) {
        StoredEvent master = cal.byId.get(e.recurringEventId);
        shown = master != null && !master.cancelled();
      }
      if (!shown) return null;
    }
    if (!inWindow(p, e.startMs, e.endMs)) return null;
    if (p.updatedMin() != null && e.updatedMs < p.updatedMin()) return null;
    JsonObject json = e.cancelled() && !p.showDeleted() ? EventJson.tombstone(cal, e) : EventJson.render(cal, e);
    if (!matchesContent(p, e.cancelled() ? EventJson.render(cal, e) : json)) return null;
    return json;
  }

  private static boolean inWindow(ListParams p, long start, long end) {
    return (p.timeMin() == null || end > p.timeMin()) && (p.timeMax() == null || start < p.timeMax());
  }

  private static boolean matchesContent(ListParams p, JsonObject d) {
    if (p.iCalUID() != null && !p.iCalUID().equals(d.getString("iCalUID"))) return false;
    if (p.q() != null && !EventJson.matchesText(d, p.q())) return false;
    return EventJson.matchesProperties(d, "private", p.privateProps())
      && EventJson.matchesProperties(d, "shared", p.sharedProps());
  }

  private static ListResult sorted(CalendarData cal, ListParams p, long watermark, int limit, SyncTokens.Page token, long now,
                                   int shortPage) {
    Page all = new Page(Integer.MAX_VALUE);
    full(cal, p, null, limit, all, now);
    List<Entry> items = all.items;
    if ("startTime".equals(p.orderBy())) items.sort(Comparator.comparingLong(Entry::startMs));
    else items.sort(Comparator.comparingLong(Entry::updatedMs));
    int offset = token != null ? token.sub() : 0;
    int end = Math.min(items.size(), offset + (shortPage >= 0 ? shortPage : p.maxResults()));
    List<JsonObject> out = new ArrayList<>();
    for (int i = offset; i < end; i++) out.add(items.get(i).item);
    if (end < items.size() || (shortPage >= 0 && offset < items.size())) {
      return new ListResult(out, SyncTokens.page(new SyncTokens.Page(cal.index, watermark, -1, 0, 0, end, limit,
        p.queryHash())), null);
    }
    return new ListResult(out, null, p.issuesSyncToken() ? SyncTokens.sync(cal.index, watermark, p.singleEvents()) : null);
  }

  /** events.instances: occurrences of one series in order, offset-paged. */
  static ListResult instances(CalendarData cal, StoredEvent master, ListParams p, long now) {
    SyncTokens.Page token = null;
    if (p.pageToken() != null) {
      token = SyncTokens.parsePage(p.pageToken());
      if (token == null || token.calendar() != cal.index) throw GoogleErrors.invalidParameter("pageToken");
    }
    List<JsonObject> all = new ArrayList<>();
    if (!master.isMaster()) {
      all.add(EventJson.render(cal, master));
    } else {
      for (EventJson.Instance in : EventJson.instances(cal, master, now)) {
        if ((in.cancelled() || master.cancelled()) && !p.showDeleted()) continue;
        if (!inWindow(p, in.startMs(), in.endMs())) continue;
        all.add(EventJson.instanceJson(cal, master, in));
      }
    }
    int offset = token != null ? token.sub() : 0;
    int end = Math.min(all.size(), offset + p.maxResults());
    List<JsonObject> out = new ArrayList<>(all.subList(Math.min(offset, all.size()), end));
    if (end < all.size()) {
      return new ListResult(out, SyncTokens.page(new SyncTokens.Page(cal.index, cal.lastSeq, -1, 0, 0, end, 0, 0)), null);
    }
    return new ListResult(out, null, null);
  }
}
