package org.calsync.sync;

import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;

/**
 * What one integration sync did (stored as response_data and published on calsync.sync.completed).
 * pendingTokens: new sync tokens by calendar id that the sync did not write itself (no changes came); they are written
 * together with the job's completion, so either both happen or neither.
 */
public record SyncResult(int calendars, int upserted, int deleted, int pages, boolean fullSync, int googleCalls,
                         Map<Long, String> pendingTokens) {
  public static final SyncResult EMPTY = new SyncResult(0, 0, 0, 0, false, 0, Map.of());

  public SyncResult(int calendars, int upserted, int deleted, int pages, boolean fullSync, int googleCalls) {
    this(calendars, upserted, deleted, pages, fullSync, googleCalls, Map.of());
  }

  public SyncResult plus(SyncResult o) {
    Map<Long, String> tokens = pendingTokens;
    if (!o.pendingTokens.isEmpty()) {
      tokens = new HashMap<>(pendingTokens);
      tokens.putAll(o.pendingTokens);
    }
    return new SyncResult(calendars + o.calendars, upserted + o.upserted, deleted + o.deleted, pages + o.pages,
        fullSync || o.fullSync, googleCalls + o.googleCalls, tokens);
  }

  public SyncResult withGoogleCalls(int calls) {
    return new SyncResult(calendars, upserted, deleted, pages, fullSync, calls, pendingTokens);
  }

  public int changed() {
    return upserted + deleted;
  }

  public JsonObject toJson() {
    return new JsonObject().put("calendars", calendars).put("upserted", upserted).put("deleted", deleted).put("pages", pages)
        .put("fullSync", fullSync).put("googleCalls", googleCalls);
  }
}
