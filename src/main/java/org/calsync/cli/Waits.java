package org.calsync.cli;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.OffsetDateTime;
import java.util.List;
import org.calsync.db.JobQueue;
import org.calsync.db.JobQueue.Outcome;

/**
 * Waits, by polling the database, until the given integrations are settled (no pending job left, as
 * {@link JobQueue} defines it), or until a deadline, then reports each. An integration still pending at the deadline
 * is reported with {@code "timedOut": true}; its job stays queued.
 */
final class Waits {
  /** The default bound of the commands' --timeout, in seconds. */
  static final String DEFAULT_TIMEOUT_SECONDS = "900";

  private Waits() {
  }

  static Future<JsonArray> settled(Vertx vertx, Pool pool, List<Long> ids, OffsetDateTime since, long timeoutSeconds) {
    return poll(vertx, new JobQueue(pool), ids, since, System.currentTimeMillis() + timeoutSeconds * 1000);
  }

  private static Future<JsonArray> poll(Vertx vertx, JobQueue queue, List<Long> ids, OffsetDateTime since, long deadline) {
    return queue.outcomes(ids, since).compose(outcomes -> {
      boolean pending = outcomes.stream().anyMatch(Outcome::pending);
      if (!pending) return Future.succeededFuture(report(outcomes, since, false));
      if (System.currentTimeMillis() >= deadline) return Future.succeededFuture(report(outcomes, since, true));
      return vertx.timer(250).compose(v -> poll(vertx, queue, ids, since, deadline));
    });
  }

  private static JsonArray report(List<Outcome> outcomes, OffsetDateTime since, boolean expired) {
    JsonArray out = new JsonArray();
    for (Outcome r : outcomes) {
      OffsetDateTime last = r.lastSyncAt();
      boolean fresh = last != null && !last.isBefore(since);
      JsonObject o = new JsonObject().put("integrationId", r.integrationId()).put("userId", r.userId())
          .put("status", r.status()).put("lastSyncAt", last == null ? null : last.toString())
          .put("lastSyncStatus", fresh ? r.lastSyncStatus()
              : r.failedError() != null ? "failed" : r.jobError() != null ? "retrying" : "not_synced");
      if (fresh && r.responseData() != null) o.put("result", r.responseData());
      if (r.failedError() != null) o.put("error", r.failedError());
      else if (r.jobError() != null) o.put("error", r.jobError());
      if (expired && r.pending()) o.put("timedOut", true);
      out.add(o);
    }
    return out;
  }
}
