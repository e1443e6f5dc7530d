package org.calsync.token;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import org.calsync.audit.AuditEvent;
import org.calsync.bus.Addresses;
import org.calsync.bus.BusFailure;
import org.calsync.db.JobQueue;
import org.calsync.db.Notices;

/**
 * Pauses and resumes an integration (status paused, V16). Paused: the scheduler and push skip it, manual syncs are
 * refused, waiting jobs are removed (one running finishes or is dropped when its token is refused), appointment writes
 * wait (not failed) and push channels are stopped; credentials, calendars, sync tokens and the mirror are kept.
 * Resumed: active again with a manual sync queued that continues from the stored sync tokens. Each change appends an
 * integration.status notice in its transaction and is audited with the given actor.
 */
public final class Pausing {
  /** What a call did: changed false when the integration already had the requested state. */
  public record Result(long integrationId, String status, boolean changed) {
    public JsonObject toJson() {
      return new JsonObject().put("integrationId", integrationId).put("status", status).put("changed", changed);
    }
  }

  private final Vertx vertx;
  private final Pool pool;
  private final String actor;

  public Pausing(Vertx vertx, Pool pool, String actor) {
    this.vertx = vertx;
    this.pool = pool;
    this.actor = actor;
  }

  /** Pauses an active (or needs_reconnect) integration; NOT_FOUND when it does not exist or was disconnected. */
  public Future<Result> pause(long id) {
    return pool.withTransaction(conn -> conn.preparedQuery("SELECT user_id, status FROM user_integrations WHERE id = $1 FOR UPDATE")
        .execute(Tuple.of(id))
        .compose(rs -> {
          String status = rs.size() == 0 ? null : rs.iterator().next().getString(1);
          if (status == null || status.equals("disconnected")) return Future.failedFuture(missing(id));
          if (status.equals("paused")) return Future.succeededFuture(new Result(id, status, false));
          long userId = rs.iterator().next().getLong(0);
          return conn.preparedQuery("UPDATE user_integrations SET status = 'paused', status_reason = $2, "
                  + "status_changed_at = now(), updated_at = now() WHERE id = $1").execute(Tuple.of(id, "was " + status))
              .compose(v -> conn.preparedQuery("DELETE FROM jobs WHERE integration_id = $1 "
                  + "AND (locked_until IS NULL OR locked_until < now())").execute(Tuple.of(id)))
              .compose(v -> Notices.appendStatus(conn, id, userId, "paused", "paused"))
              .map(v -> new Result(id, "paused", true));
        }))
        .onSuccess(r -> audit(r, "integration.paused"));
  }

  /** Resumes a paused integration and queues its catch-up sync; NOT_FOUND when it does not exist or was disconnected. */
  public Future<Result> resume(long id) {
    return pool.withTransaction(conn -> conn.preparedQuery("UPDATE user_integrations SET status = 'active', "
                + "status_reason = 'resumed', status_changed_at = now(), updated_at = now() WHERE id = $1 AND status = 'paused' "
                + "RETURNING user_id")
            .execute(Tuple.of(id))
            .compose(rs -> {
              if (rs.size() > 0) {
                long userId = rs.iterator().next().getLong(0);
                return Notices.appendStatus(conn, id, userId, "active", "resumed")
                    .compose(v -> JobQueue.enqueue(conn, id, JobQueue.PRIORITY_MANUAL, OffsetDateTime.now()))
                    .map(v -> new Result(id, "active", true));
              }
              return conn.preparedQuery("SELECT status FROM user_integrations WHERE id = $1").execute(Tuple.of(id))
                  .compose(s -> s.size() == 0 || "disconnected".equals(s.iterator().next().getString(0))
                      ? Future.failedFuture(missing(id))
                      : Future.succeededFuture(new Result(id, s.iterator().next().getString(0), false)));
            }))
        .onSuccess(r -> {
          if (!r.changed()) return;
          audit(r, "integration.resumed");
          vertx.eventBus().publish(Addresses.JOBS_AVAILABLE, new JsonObject());
        });
  }

  private static BusFailure missing(long id) {
    return BusFailure.notFound("integration " + id + " does not exist or was disconnected");
  }

  private void audit(Result r, String action) {
    if (r.changed()) new AuditEvent(actor, action, r.integrationId(), new JsonObject()).send(vertx.eventBus());
  }
}
