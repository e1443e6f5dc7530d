package org.calsync.ops;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.calsync.metrics.Recoveries;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gauges read from the database, all by one statement ({@link #SQL}) every http.metricsRefreshSeconds, in every
 * process that serves /metrics (each reports the same database-wide values: aggregate them with max, not sum).
 * A scrape never queries; when the database does not answer within 5 s the last values stay.
 * <ul>
 *   <li>calsync_integrations{status}: integrations by status (active, needs_reconnect, paused, disconnected, and any other)</li>
 *   <li>calsync_queue_depth, _due, _running; calsync_oldest_due_seconds (wait of the oldest due job)</li>
 *   <li>calsync_failed_jobs (failed_jobs rows: one per integration and error class)</li>
 *   <li>calsync_oldest_sync_age_seconds: time since the least recently synced active, not deferred integration last
 *       synced (never synced: since it was connected)</li>
 *   <li>calsync_integrations_failing: active integrations whose syncs keep failing (failing_since set)</li>
 *   <li>calsync_busy_quarantined_events (busy_quarantine rows), calsync_skipped_events (skipped_events rows)</li>
 *   <li>calsync_writebacks_pending: appointments whose latest version is not yet in Google;
 *       calsync_writebacks_failing: those whose last write attempt failed (retried, or given up);
 *       calsync_writebacks_given_up: those no longer retried until the EMR sends them again (write_failed_at)</li>
 * </ul>
 */
final class DatabaseGauges {
  private static final Logger log = LoggerFactory.getLogger(DatabaseGauges.class);
  private static final Set<String> STATUSES = Set.of("active", "needs_reconnect", "paused", "disconnected");
  private static final String[] FIELDS = {"depth", "due", "running", "oldestDueSeconds", "failed", "oldestSyncAgeSeconds",
      "failingIntegrations", "busyQuarantined", "skippedEvents", "writebacksPending", "writebacksFailing", "writebacksGivenUp"};
  static final String SQL = "SELECT q.depth, q.due, q.running, q.oldest_due, "
      + "(SELECT count(*) FROM failed_jobs), "
      + "(SELECT COALESCE(EXTRACT(EPOCH FROM now() - min(COALESCE(c.synced, u.created_at))), 0)::float8 "
      + "   FROM user_integrations u LEFT JOIN LATERAL (SELECT CASE WHEN bool_and(last_sync_at IS NOT NULL) "
      + "   THEN min(last_sync_at) END AS synced FROM calendars WHERE integration_id = u.id) c ON true "
      + "   WHERE u.status = 'active' AND (u.deferred_until IS NULL OR u.deferred_until <= now())), "
      + "(SELECT count(*) FROM user_integrations WHERE failing_since IS NOT NULL AND status = 'active'), "
      + "(SELECT count(*) FROM busy_quarantine), "
      + "(SELECT count(*) FROM skipped_events), "
      + "(SELECT count(*) FROM appointments WHERE version > written_version), "
      + "(SELECT count(*) FROM appointments WHERE version > written_version AND (write_attempts > 0 OR write_failed_at IS NOT NULL)), "
      + "(SELECT count(*) FROM appointments WHERE version > written_version AND write_failed_at IS NOT NULL), "
      + "(SELECT COALESCE(json_object_agg(status, n), '{}') FROM "
      + "   (SELECT status, count(*) AS n FROM user_integrations GROUP BY status) s)::text "
      + "FROM (SELECT count(*) AS depth, "
      + "   count(*) FILTER (WHERE available_at <= now() AND (locked_until IS NULL OR locked_until < now())) AS due, "
      + "   count(*) FILTER (WHERE locked_until > now()) AS running, "
      + "   COALESCE(EXTRACT(EPOCH FROM now() - min(available_at) FILTER (WHERE available_at <= now() "
      + "     AND (locked_until IS NULL OR locked_until < now()))), 0)::float8 AS oldest_due FROM jobs) q";

  private final Pool pool;
  private final MeterRegistry registry;
  private final AtomicReference<JsonObject> stats = new AtomicReference<>(new JsonObject());
  private final Set<String> statuses = ConcurrentHashMap.newKeySet();

  DatabaseGauges(Pool pool, MeterRegistry registry) {
    this.pool = pool;
    this.registry = registry;
    gauge("calsync.queue.depth", "depth");
    gauge("calsync.queue.due", "due");
    gauge("calsync.queue.running", "running");
    gauge("calsync.oldest.due.seconds", "oldestDueSeconds");
    gauge("calsync.failed.jobs", "failed");
    gauge("calsync.oldest.sync.age.seconds", "oldestSyncAgeSeconds");
    gauge("calsync.integrations.failing", "failingIntegrations");
    gauge("calsync.busy.quarantined.events", "busyQuarantined");
    gauge("calsync.skipped.events", "skippedEvents");
    gauge("calsync.writebacks.pending", "writebacksPending");
    gauge("calsync.writebacks.failing", "writebacksFailing");
    gauge("calsync.writebacks.given.up", "writebacksGivenUp");
    STATUSES.forEach(this::statusGauge);
  }

  /** Reads every value by one statement; keeps the last values when the database does not answer. */
  Future<Void> refresh() {
    return pool.query(SQL).execute().timeout(5, TimeUnit.SECONDS).map(rs -> {
      Row r = rs.iterator().next();
      JsonObject s = new JsonObject();
      for (int i = 0; i < FIELDS.length; i++) s.put(FIELDS[i], r.getValue(i));
      JsonObject byStatus = new JsonObject(r.getString(FIELDS.length));
      for (String status : statuses) if (!byStatus.containsKey(status)) byStatus.put(status, 0);
      byStatus.fieldNames().forEach(this::statusGauge);
      s.put("integrations", byStatus);
      stats.set(s);
      return (Void) null;
    }).onFailure(e -> {
      Recoveries.count(Recoveries.Kind.DATABASE);
      log.atWarn().setMessage("metrics: database gauges not refreshed, serving the last values")
          .addKeyValue("error", e.getMessage()).log();
    });
  }

  private void statusGauge(String status) {
    if (!statuses.add(status)) return;
    Gauge.builder("calsync.integrations", stats, s -> number(s.get().getJsonObject("integrations", new JsonObject()), status))
        .description("Integrations by status").tag("status", status).register(registry);
  }

  private void gauge(String name, String field) {
    Gauge.builder(name, stats, s -> number(s.get(), field)).register(registry);
  }

  private static double number(JsonObject o, String field) {
    Number n = (Number) o.getValue(field);
    return n == null ? Double.NaN : n.doubleValue();
  }
}
