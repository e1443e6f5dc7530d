package org.calsync.config;

import io.vertx.core.json.JsonObject;

/**
 * Section "audit".
 * <ul>
 *   <li>batchSize: records written per insert (default 500)</li>
 *   <li>flushMs: longest a record waits before it is written (default 200)</li>
 *   <li>retentionDays: records older than this are purged by the daily cleanup (default 2555, seven years; the database
 *       never purges records younger than 30 days, see V4__compliance.sql)</li>
 * </ul>
 */
public record AuditConfig(int batchSize, int flushMs, int retentionDays) {
  static AuditConfig fromJson(JsonObject root) {
    Json j = new Json(root, "audit");
    return new AuditConfig((int) j.integer("batchSize", 500, 1, 100_000), (int) j.integer("flushMs", 200, 1, 60_000),
        (int) j.integer("retentionDays", 2555, 1, 36_500));
  }
}
