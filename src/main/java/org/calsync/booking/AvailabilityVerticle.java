package org.calsync.booking;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Collections;
import java.util.List;
import org.calsync.booking.BusyQueries.Busy;
import org.calsync.booking.Requests.AvailabilityQuery;
import org.calsync.booking.Requests.ConflictQuery;
import org.calsync.bus.Addresses;
import org.calsync.bus.Messages;
import org.calsync.config.BookingConfig;
import org.calsync.config.DbConfig;
import org.calsync.db.JobQueue;
import org.calsync.mirror.Mirror;

/**
 * Serves {@link Addresses#BOOKING_CONFLICTS} and {@link Addresses#BOOKING_AVAILABILITY} from busy_blocks (contracts
 * there); a fresh conflict or availability check first awaits a manual-priority sync in the database, whichever process runs it.
 */
final class AvailabilityVerticle extends VerticleBase {
  /** How often a fresh conflict check looks for its sync's outcome in the database. */
  private static final long FRESH_POLL_MS = 50;

  private final BookingConfig booking;
  private final DbConfig db;
  private final Pool pool;
  private CheckBatch batch;
  private BusyQueries queries;
  private JobQueue queue;

  /** db: where the checks' own connections go ({@link CheckBatch}); pool: the shared pool for the rest. */
  AvailabilityVerticle(BookingConfig booking, DbConfig db, Pool pool) {
    this.booking = booking;
    this.db = db;
    this.pool = pool;
  }

  @Override
  public Future<?> start() {
    batch = CheckBatch.open(vertx, db);
    queries = new BusyQueries(vertx, pool, booking, batch);
    queue = new JobQueue(pool);
    int maxDays = booking.maxRangeDays();
    var bus = vertx.eventBus();
    return Future.join(
        bus.consumer(Addresses.BOOKING_CONFLICTS,
            msg -> Messages.serve(msg, body -> ConflictQuery.parse(body, maxDays), this::conflicts)).completion(),
        bus.consumer(Addresses.BOOKING_AVAILABILITY,
            msg -> Messages.serve(msg, body -> AvailabilityQuery.parse(body, maxDays), this::availability)).completion());
  }

  @Override
  public Future<?> stop() {
    return batch.close();
  }

  private Future<JsonObject> conflicts(ConflictQuery q) {
    return synced(q.who(), q.fresh()).compose(ok -> queries.check(q.who(), q.range().start(), q.range().end(), q.excludeAppointment(),
        booking.staleMinutes()).compose(c -> {
          if (!c.scope().found()) return Future.failedFuture(q.who().notFound());
          JsonArray out = new JsonArray();
          for (Busy b : c.busy()) {
            JsonObject item = BusyQueries.interval(b.start(), b.end()).put("eventId", b.eventId());
            if (b.appointmentId() != null) item.put("appointmentId", b.appointmentId());
            out.add(item);
          }
          return Future.succeededFuture(new JsonObject().put("conflicts", out).put("checkedAt", Instant.now().toString())
              .put("stale", c.scope().stale() || !ok).put("calendars", c.freshness()));
        }));
  }

  private Future<JsonObject> availability(AvailabilityQuery q) {
    Instant start = q.range().start();
    Instant end = q.range().end();
    return synced(q.who(), q.fresh()).compose(ok -> queries.check(q.who(), start, end, null, booking.staleMinutes()).compose(c -> {
      if (!c.scope().found()) return Future.failedFuture(q.who().notFound());
      return Future.succeededFuture(BusyQueries.freeBusy(c.busy(), start, end)
          .put("checkedAt", Instant.now().toString()).put("stale", c.scope().stale() || !ok).put("calendars", c.freshness()));
    }));
  }

  /** True at once without fresh; with fresh, whether a sync of each of the user's integrations finished in time. */
  private Future<Boolean> synced(Requests.Who who, boolean fresh) {
    if (!fresh) return Future.succeededFuture(true);
    return queries.scope(who, booking.staleMinutes())
        .compose(scope -> scope.found() ? freshSync(scope.integrationIds()) : Future.failedFuture(who.notFound()));
  }

  /**
   * Queues a manual-priority sync of each integration and waits (at most booking.freshTimeoutMs) until each is settled
   * after a sync claimed after this call, whichever process ran it; false when one did not finish in time or did not
   * succeed. Read from the database: enqueueing either creates the job or marks a running one to run again, so the
   * job settles only after a run that started after the enqueue (see {@link JobQueue}).
   */
  private Future<Boolean> freshSync(List<Long> integrationIds) {
    long deadline = System.currentTimeMillis() + booking.freshTimeoutMs();
    return Mirror.now(pool)
        .compose(t0 -> queue.enqueueAll(integrationIds, Collections.nCopies(integrationIds.size(), null),
            JobQueue.PRIORITY_MANUAL).map(t0))
        .compose(t0 -> {
          vertx.eventBus().publish(Addresses.JOBS_AVAILABLE, new JsonObject());
          return awaitSynced(integrationIds, t0, deadline);
        })
        .otherwise(false);
  }

  private Future<Boolean> awaitSynced(List<Long> ids, OffsetDateTime since, long deadline) {
    return queue.outcomes(ids, since).compose(outcomes -> {
      long settled = outcomes.stream().filter(o -> !o.pending()).count();
      if (outcomes.stream().anyMatch(o -> !o.pending() && !o.syncedSince(since))) return Future.succeededFuture(false);
      if (settled == ids.size()) return Future.succeededFuture(true);
      if (System.currentTimeMillis() >= deadline) return Future.succeededFuture(false);
      return vertx.timer(FRESH_POLL_MS).compose(v -> awaitSynced(ids, since, deadline));
    });
  }
}
