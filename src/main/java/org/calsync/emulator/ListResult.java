package org.calsync.emulator;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * One page of an events listing; at most one of the two tokens is set. Each item is a JsonObject or an event's
 * serialized JSON (a Buffer never written to).
 */
record ListResult(List<Object> items, String nextPageToken, String nextSyncToken) {

  /** {@code envelope} (without items) followed by the tokens and {@code "items":[...]}, serialized. */
  Buffer encode(JsonObject envelope) {
    if (nextPageToken != null) envelope.put("nextPageToken", nextPageToken);
    if (nextSyncToken != null) envelope.put("nextSyncToken", nextSyncToken);
    Buffer head = envelope.toBuffer();
    Buffer out = Buffer.buffer(head.length() + 64 + items.size() * 800);
    out.appendBuffer(head, 0, head.length() - 1).appendString(envelope.isEmpty() ? "\"items\":[" : ",\"items\":[");
    for (int i = 0; i < items.size(); i++) {
      if (i > 0) out.appendByte((byte) ',');
      Object item = items.get(i);
      out.appendBuffer(item instanceof Buffer b ? b : ((JsonObject) item).toBuffer());
    }
    return out.appendString("]}");
  }
}
