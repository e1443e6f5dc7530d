package org.calsync.config;

import io.vertx.core.json.JsonObject;

/**
 * Section "audit".
 * <ul>
 *   <li>batchSize: records written per insert (default 500)</li>
 *   <li>flushMs: longest a record waits before it is written (default 200)</li>
 *   <li>maxBuffered: records held in memory while the database cannot take them (default 100000); beyond that new
 *       records are refused, counted in calsync_audit_dropped_total and logged (see audit.AuditVerticle)</li>
 *   <li>retentionDays: no longer read. Retention is the database owner's setting (table audit_retention, default seven
 *       years, never under 30 days; see V9__audit_retention.sql); setting this key stops the start</li>
 * </ul>
 */
public record AuditConfig(int batchSize, int flushMs, int maxBuffered) {
  static AuditConfig fromJson(JsonObject root) {
    Json j = new Json(root, "audit");
    if (root.getValue("audit") instanceof JsonObject audit && audit.containsKey("retentionDays")) {
      throw new ConfigException(j.key("retentionDays"), "is no longer read: audit retention is set in the database by its owner",
          "remove the key and run UPDATE audit_retention SET days = N as the schema owner (at least 30)");
    }
    return new AuditConfig((int) j.integer("batchSize", 500, 1, 100_000), (int) j.integer("flushMs", 200, 1, 60_000),
        (int) j.integer("maxBuffered", 100_000, 1, 10_000_000));
  }
}
