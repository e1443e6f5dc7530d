package org.calsync.sync;

import io.vertx.core.json.JsonObject;

/** What one integration sync did (stored as response_data and published on calsync.sync.completed). */
public record SyncResult(int calendars, int upserted, int deleted, int pages, boolean fullSync, int googleCalls) {
  public static final SyncResult EMPTY = new SyncResult(0, 0, 0, 0, false, 0);

  public SyncResult plus(SyncResult o) {
    return new SyncResult(calendars + o.calendars, upserted + o.upserted, deleted + o.deleted, pages + o.pages,
        fullSync || o.fullSync, googleCalls + o.googleCalls);
  }

  public int changed() {
    return upserted + deleted;
  }

  public JsonObject toJson() {
    return new JsonObject().put("calendars", calendars).put("upserted", upserted).put("deleted", deleted).put("pages", pages)
        .put("fullSync", fullSync).put("googleCalls", googleCalls);
  }
}
