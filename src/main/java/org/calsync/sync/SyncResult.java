package org.calsync.sync;

import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;

/**
 * What one integration sync did (stored as response_data and published on calsync.sync.completed).
 * skipped: events that could not be mapped (recorded in skipped_events). pendingTokens: new sync tokens by calendar id
 * that the sync did not write itself (no deletions came); they are written together with the job's completion, so
 * either both happen or neither. calendarListToken: the calendarList sync token to store with the job's completion
 * (null: none, the next sync lists the calendars fully); listedFully: this sync made a full calendarList listing;
 * calendarsChecked: calendarList answered in this sync.
 */
public record SyncResult(int calendars, int upserted, int deleted, int pages, boolean fullSync, int googleCalls,
                         int skipped, Map<Long, String> pendingTokens, String calendarListToken, boolean listedFully,
                         boolean calendarsChecked) {
  public static final SyncResult EMPTY = new SyncResult(0, 0, 0, 0, false, 0, 0);

  public SyncResult(int calendars, int upserted, int deleted, int pages, boolean fullSync, int googleCalls, int skipped) {
    this(calendars, upserted, deleted, pages, fullSync, googleCalls, skipped, Map.of(), null, false, false);
  }

  private SyncResult(int calendars, int upserted, int deleted, int pages, boolean fullSync, int googleCalls, int skipped,
                     Map<Long, String> pendingTokens) {
    this(calendars, upserted, deleted, pages, fullSync, googleCalls, skipped, pendingTokens, null, false, false);
  }

  /** The sum of two calendars' results (calendarList state is set once per sync: {@link #withCalendarList}). */

  public SyncResult plus(SyncResult o) {
    Map<Long, String> tokens = pendingTokens;
    if (!o.pendingTokens.isEmpty()) {
      tokens = new HashMap<>(pendingTokens);
      tokens.putAll(o.pendingTokens);
    }
    return new SyncResult(calendars + o.calendars, upserted + o.upserted, deleted + o.deleted, pages + o.pages,
        fullSync || o.fullSync, googleCalls + o.googleCalls, skipped + o.skipped, tokens);
  }

  public SyncResult withGoogleCalls(int calls) {
    return new SyncResult(calendars, upserted, deleted, pages, fullSync, calls, skipped, pendingTokens, calendarListToken,
        listedFully, calendarsChecked);
  }

  SyncResult withCalendarList(String token, boolean full, boolean checked) {
    return new SyncResult(calendars, upserted, deleted, pages, fullSync, googleCalls, skipped, pendingTokens, token, full,
        checked);
  }

  SyncResult withDeleted(int rows) {
    return new SyncResult(calendars, upserted, rows, pages, fullSync, googleCalls, skipped, pendingTokens);
  }

  SyncResult withPendingToken(long calendarId, String token) {
    Map<Long, String> tokens = new HashMap<>(pendingTokens);
    tokens.put(calendarId, token);
    return new SyncResult(calendars, upserted, deleted, pages, fullSync, googleCalls, skipped, tokens);
  }

  public int changed() {
    return upserted + deleted;
  }

  public JsonObject toJson() {
    return new JsonObject().put("calendars", calendars).put("upserted", upserted).put("deleted", deleted).put("pages", pages)
        .put("fullSync", fullSync).put("googleCalls", googleCalls).put("skipped", skipped);
  }
}
