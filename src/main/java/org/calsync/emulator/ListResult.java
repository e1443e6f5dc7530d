package org.calsync.emulator;

import io.vertx.core.json.JsonObject;
import java.util.List;

/** One page of an events listing; at most one of the two tokens is set. */
record ListResult(List<JsonObject> items, String nextPageToken, String nextSyncToken) {}
