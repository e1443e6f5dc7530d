package org.calsync.api;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.calsync.bus.Addresses;

/**
 * Audit records of the API ({@link Addresses#AUDIT_RECORD}): every write ("api.write", actor "api-key:<id>") and
 * every refused key ("api.refused"). Refusals are rate limited to {@link #REFUSALS_PER_MINUTE} records a minute per
 * process; the next record carries how many were left out ({@code "suppressed"}), so a flood cannot fill the log.
 */
final class ApiAudit {
  static final int REFUSALS_PER_MINUTE = 20;
  private final Vertx vertx;
  private long windowStart;
  private int inWindow;
  private long suppressed;

  ApiAudit(Vertx vertx) {
    this.vertx = vertx;
  }

  void write(ApiKeys.Key key, String operationId, Long integrationId, JsonObject detail) {
    JsonObject record = new JsonObject().put("actor", "api-key:" + key.id()).put("action", "api.write")
        .put("detail", detail.put("operation", operationId).put("keyName", key.name()));
    if (integrationId != null) record.put("integrationId", integrationId);
    vertx.eventBus().send(Addresses.AUDIT_RECORD, record);
  }

  /** Called on the event loop of the API verticle only. */
  void refused(JsonObject detail) {
    long now = System.currentTimeMillis();
    if (now - windowStart >= 60_000) {
      windowStart = now;
      inWindow = 0;
    }
    if (inWindow >= REFUSALS_PER_MINUTE) {
      suppressed++;
      return;
    }
    inWindow++;
    if (suppressed > 0) detail.put("suppressed", suppressed);
    suppressed = 0;
    vertx.eventBus().send(Addresses.AUDIT_RECORD, new JsonObject().put("actor", "api").put("action", "api.refused")
        .put("detail", detail));
  }
}
