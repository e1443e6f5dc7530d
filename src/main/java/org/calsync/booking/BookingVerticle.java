package org.calsync.booking;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.calsync.booking.Appointments.Intent;
import org.calsync.booking.BusyQueries.Busy;
import org.calsync.booking.Requests.Range;
import org.calsync.booking.Requests.Who;
import org.calsync.bus.Addresses;
import org.calsync.bus.FailureCode;
import org.calsync.bus.Messages;
import org.calsync.config.BookingConfig;
import org.calsync.config.CalsyncConfig;
import org.calsync.db.JobQueue;
import org.calsync.google.Google;
import org.calsync.mirror.BusyBlocks;
import org.calsync.mirror.Mirror;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The EMR side over the event bus: conflict checks and availability from busy_blocks, appointment notifications
 * written back to Google (durably: pending writes are retried every booking.sweepSeconds), and after each sync the
 * conflict report ({@link Addresses#BOOKING_CONFLICT}) and the EMR-wins check of our events
 * ({@link Addresses#APPOINTMENT_OVERRIDDEN}). The sweep also renews the rolling recurrence horizon once a day per
 * calendar. Addresses and shapes are documented in {@link Addresses}.
 */
public final class BookingVerticle extends VerticleBase {
  /** How often a fresh conflict check looks for its sync's outcome in the database. */
  private static final long FRESH_POLL_MS = 50;
  private static final Logger log = LoggerFactory.getLogger(BookingVerticle.class);

  private final CalsyncConfig config;
  private final Pool pool;
  private final String worker = "booking/" + UUID.randomUUID().toString().substring(0, 8);
  private BookingConfig booking;
  private Appointments appointments;
  private BusyQueries queries;
  private BusyBlocks busyBlocks;
  private WriteBack writeBack;
  private boolean sweeping;

  private final Google google;

  public BookingVerticle(CalsyncConfig config, Pool pool, Google google) {
    this.config = config;
    this.pool = pool;
    this.google = google;
  }

  @Override
  public Future<?> start() {
    booking = config.booking();
    appointments = new Appointments(pool);
    queries = new BusyQueries(vertx, pool, booking);
    busyBlocks = new BusyBlocks(vertx, booking);
    writeBack = new WriteBack(vertx, google, appointments, booking, worker);
    vertx.setPeriodic(booking.sweepSeconds() * 1000L, id -> sweep());
    var bus = vertx.eventBus();
    return Future.join(List.of(
        bus.<Object>consumer(Addresses.BOOKING_CONFLICTS, this::conflicts).completion(),
        bus.<Object>consumer(Addresses.BOOKING_AVAILABILITY, this::availability).completion(),
        bus.<Object>consumer(Addresses.APPOINTMENT_BOOKED, this::book).completion(),
        bus.<Object>consumer(Addresses.APPOINTMENT_RESCHEDULED, this::book).completion(),
        bus.<Object>consumer(Addresses.APPOINTMENT_CANCELLED, this::cancel).completion(),
        bus.<JsonObject>consumer(Addresses.SYNC_COMPLETED, this::afterSync).completion()));
  }

  // ---- conflicts and availability

  private void conflicts(Message<Object> msg) {
    JsonObject body = Messages.body(msg);
    if (body == null) return;
    Who who = Requests.who(msg, body);
    if (who == null) return;
    Range range = Requests.range(msg, body, booking.maxRangeDays());
    if (range == null) return;
    String appointmentId = Requests.appointmentId(msg, body, false);
    if (appointmentId == null) return;
    Boolean fresh = Requests.flag(msg, body, "fresh");
    if (fresh == null) return;
    String exclude = appointmentId.isEmpty() ? null : appointmentId;
    Future<Boolean> synced = !fresh ? Future.succeededFuture(true) : queries.scope(who, booking.staleMinutes())
        .compose(scope -> scope.found() ? freshSync(scope.integrationIds()) : Future.failedFuture(new NotFound(who)));
    synced.compose(ok -> queries.check(who, range.start(), range.end(), exclude, booking.staleMinutes()).compose(c -> {
      if (!c.scope().found()) return Future.failedFuture(new NotFound(who));
      JsonArray out = new JsonArray();
      for (Busy b : c.busy()) {
        JsonObject item = BusyQueries.interval(b.start(), b.end()).put("eventId", b.eventId());
        if (b.appointmentId() != null) item.put("appointmentId", b.appointmentId());
        out.add(item);
      }
      return Future.succeededFuture(new JsonObject().put("conflicts", out).put("checkedAt", Instant.now().toString())
          .put("stale", c.scope().stale() || !ok).put("calendars", c.freshness()));
    })).onComplete(ar -> reply(msg, ar));
  }

  private void availability(Message<Object> msg) {
    JsonObject body = Messages.body(msg);
    if (body == null) return;
    Who who = Requests.who(msg, body);
    if (who == null) return;
    Range range = Requests.range(msg, body, booking.maxRangeDays());
    if (range == null) return;
    queries.check(who, range.start(), range.end(), null, booking.staleMinutes()).compose(c -> {
      if (!c.scope().found()) return Future.failedFuture(new NotFound(who));
      return Future.succeededFuture(BusyQueries.freeBusy(c.busy(), range.start(), range.end())
          .put("checkedAt", Instant.now().toString()).put("stale", c.scope().stale()).put("calendars", c.freshness()));
    }).onComplete(ar -> reply(msg, ar));
  }

  /**
   * Queues a manual-priority sync of each integration and waits (at most booking.freshTimeoutMs) until each has
   * finished a sync claimed after this call, whichever process ran it; false when one did not finish in time or did
   * not succeed. Read from the database: enqueueing either creates the job or marks a running one to run again, so the
   * job row is gone only after a run that started after the enqueue (see {@link JobQueue}).
   */
  private Future<Boolean> freshSync(List<Long> integrationIds) {
    long deadline = System.currentTimeMillis() + booking.freshTimeoutMs();
    List<OffsetDateTime> now = new ArrayList<>();
    integrationIds.forEach(i -> now.add(OffsetDateTime.now()));
    Long[] ids = integrationIds.toArray(new Long[0]);
    return Mirror.now(pool)
        .compose(t0 -> new JobQueue(pool).enqueueAll(integrationIds, now, JobQueue.PRIORITY_MANUAL).map(t0))
        .compose(t0 -> {
          vertx.eventBus().publish(Addresses.JOBS_AVAILABLE, new JsonObject());
          return awaitSynced(ids, t0, deadline);
        })
        .otherwise(false);
  }

  /** [integrations whose job is settled, of those the ones whose last sync since $2 did not succeed]. */
  private static final String SYNCED_SINCE = "SELECT count(*) FILTER (WHERE settled), count(*) FILTER (WHERE settled AND "
      + "(last_sync_status IS DISTINCT FROM 'ok' OR last_sync_at IS NULL OR last_sync_at < $2)) "
      + "FROM (SELECT u.last_sync_status, u.last_sync_at, NOT EXISTS (SELECT 1 FROM jobs j WHERE j.integration_id = u.id) "
      + "AS settled FROM user_integrations u WHERE u.id = ANY($1)) s";

  private Future<Boolean> awaitSynced(Long[] ids, OffsetDateTime since, long deadline) {
    return pool.preparedQuery(SYNCED_SINCE).execute(Tuple.of(ids, since)).compose(rs -> {
      long settled = rs.iterator().next().getLong(0);
      long unsuccessful = rs.iterator().next().getLong(1);
      if (unsuccessful > 0) return Future.succeededFuture(false);
      if (settled == ids.length) return Future.succeededFuture(true);
      if (System.currentTimeMillis() >= deadline) return Future.succeededFuture(false);
      return vertx.timer(FRESH_POLL_MS).compose(v -> awaitSynced(ids, since, deadline));
    });
  }

  // ---- appointments

  private void book(Message<Object> msg) {
    JsonObject body = Messages.body(msg);
    if (body == null) return;
    String id = Requests.appointmentId(msg, body, true);
    if (id == null) return;
    Who who = Requests.who(msg, body);
    if (who == null) return;
    Range range = Requests.range(msg, body, booking.maxRangeDays());
    if (range == null) return;
    integrationOf(who).compose(integrationId -> appointments.book(id, integrationId, range.start(), range.end())
        .compose(intent -> {
          if (intent.otherIntegration() != null) {
            return Future.<JsonObject>failedFuture(new BadRequest("appointment " + id + " belongs to integration "
                + intent.otherIntegration() + "; cancel it and book it anew"));
          }
          return afterIntent(id, intent).onSuccess(r -> report(integrationId)
              .onFailure(e -> log.warn("conflict report integration={} failed: {}", integrationId, e.getMessage())));
        }))
        .onComplete(ar -> reply(msg, ar));
  }

  private void cancel(Message<Object> msg) {
    JsonObject body = Messages.body(msg);
    if (body == null) return;
    String id = Requests.appointmentId(msg, body, true);
    if (id == null) return;
    appointments.cancel(id).compose(intent -> intent == null
            ? Future.<JsonObject>failedFuture(new NotFound("appointment " + id + " is unknown"))
            : afterIntent(id, intent))
        .onComplete(ar -> reply(msg, ar));
  }

  /** The intent is stored: write it now; a failure leaves it pending for the sweep. */
  private Future<JsonObject> afterIntent(String id, Intent intent) {
    return writeBack.write(id).compose(o -> appointments.isWritten(id, intent.version()).map(w -> {
      JsonObject r = new JsonObject().put("appointmentId", id).put("eventId", intent.eventId())
          .put("version", intent.version()).put("written", w);
      if (o.error() != null) r.put("error", o.error());
      return r;
    }));
  }

  private Future<Long> integrationOf(Who who) {
    String sql = who.integrationId() != null ? "SELECT id FROM user_integrations WHERE id = $1"
        : "SELECT id FROM user_integrations WHERE user_id = $1 AND status <> 'disconnected' ORDER BY id DESC LIMIT 1";
    long key = who.integrationId() != null ? who.integrationId() : who.userId();
    return pool.preparedQuery(sql).execute(io.vertx.sqlclient.Tuple.of(key)).compose(rs -> rs.size() == 0
        ? Future.failedFuture(new NotFound(who)) : Future.succeededFuture(rs.iterator().next().getLong(0)));
  }

  // ---- after each sync: conflict report and EMR-wins check

  private void afterSync(Message<JsonObject> msg) {
    JsonObject b = msg.body();
    if (b == null || !"synced".equals(b.getString("outcome")) || !(b.getValue("integrationId") instanceof Number n)) return;
    // Nothing in the mirror changed: no new busy time, none of our events touched (bookings report on their own).
    if (b.getInteger("changed", 1) == 0) return;
    long integrationId = n.longValue();
    report(integrationId).onFailure(e -> log.warn("conflict report integration={} failed: {}", integrationId, e.getMessage()));
    checkOwnEvents(integrationId).onFailure(e -> log.warn("EMR-wins check integration={} failed: {}", integrationId, e.getMessage()));
  }

  private Future<Void> report(long integrationId) {
    return queries.newConflicts(integrationId).map(list -> {
      for (JsonObject c : list) {
        log.info("conflict appointment={} event={} integration={}", c.getString("appointmentId"), c.getString("eventId"), integrationId);
        vertx.eventBus().publish(Addresses.BOOKING_CONFLICT, c);
      }
      return null;
    });
  }

  private Future<Void> checkOwnEvents(long integrationId) {
    return appointments.takeChecks(integrationId).compose(checks -> {
      Future<Void> chain = Future.succeededFuture();
      for (Appointments.Check c : checks) {
        chain = chain.compose(v -> writeBack.verify(c).transform(ar -> {
          if (ar.failed()) {
            log.warn("EMR-wins check appointment={} failed (retried by the sweep): {}", c.id(), WriteBack.describe(ar.cause()));
            return appointments.flag(c.id());
          }
          JsonObject notice = ar.result();
          if (notice != null) {
            log.warn("appointment event {} in Google, restored appointment={} integration={}", notice.getString("change"),
                c.id(), integrationId);
            vertx.eventBus().publish(Addresses.APPOINTMENT_OVERRIDDEN, notice);
            vertx.eventBus().send(Addresses.AUDIT_RECORD, new JsonObject().put("actor", "booking")
                .put("action", "appointment.overridden").put("integrationId", integrationId).put("detail", notice));
          }
          return Future.succeededFuture();
        }));
      }
      return chain;
    });
  }

  // ---- sweep: pending writes, unfinished checks, recurrence horizon

  private void sweep() {
    if (sweeping) return;
    sweeping = true;
    appointments.due(100)
        .compose(ids -> {
          Future<Void> chain = Future.succeededFuture();
          for (String id : ids) chain = chain.compose(v -> writeBack.write(id).mapEmpty());
          return chain;
        })
        .compose(v -> appointments.flaggedIntegrations(50))
        .compose(ids -> {
          Future<Void> chain = Future.succeededFuture();
          for (Long id : ids) chain = chain.compose(v -> checkOwnEvents(id));
          return chain;
        })
        .compose(v -> renewHorizons())
        .onFailure(e -> log.warn("booking sweep failed: {}", e.getMessage()))
        .onComplete(ar -> sweeping = false);
  }

  /**
   * Re-expands calendars whose busy blocks were last fully expanded over a day ago (or never, after an upgrade). Each is
   * re-checked under FOR UPDATE SKIP LOCKED, so processes sharing the database never renew the same calendar twice.
   */
  private Future<Void> renewHorizons() {
    return pool.query("SELECT id, time_zone FROM calendars WHERE busy_expanded_at IS NULL "
            + "OR busy_expanded_at < now() - interval '1 day' ORDER BY busy_expanded_at NULLS FIRST LIMIT 20").execute()
        .compose(rs -> {
          Future<Void> chain = Future.succeededFuture();
          for (var r : rs) {
            long id = r.getLong(0);
            String zone = r.getString(1);
            chain = chain.compose(v -> pool.withTransaction(conn -> conn.preparedQuery("SELECT 1 FROM calendars WHERE id = $1 "
                    + "AND (busy_expanded_at IS NULL OR busy_expanded_at < now() - interval '1 day') FOR UPDATE SKIP LOCKED")
                .execute(Tuple.of(id))
                .compose(due -> due.size() == 0 ? Future.succeededFuture()
                    : busyBlocks.rebuild(conn, id, BusyBlocks.zone(zone), null).mapEmpty())));
          }
          return chain;
        });
  }

  // ---- replies

  private static void reply(Message<Object> msg, io.vertx.core.AsyncResult<JsonObject> ar) {
    if (msg.replyAddress() == null) {
      if (ar.failed()) log.warn("{} failed: {}", msg.address(), ar.cause().getMessage());
      return;
    }
    if (ar.succeeded()) {
      msg.reply(ar.result());
    } else if (ar.cause() instanceof NotFound e) {
      msg.fail(FailureCode.NOT_FOUND, e.getMessage());
    } else if (ar.cause() instanceof BusyQueries.OutOfRange e) {
      msg.fail(FailureCode.OUT_OF_RANGE, e.getMessage());
    } else if (ar.cause() instanceof BadRequest e) {
      msg.fail(FailureCode.BAD_REQUEST, e.getMessage());
    } else {
      log.warn("{} failed: {}", msg.address(), ar.cause().toString());
      msg.fail(FailureCode.UNAVAILABLE, "try again later: " + ar.cause().getMessage());
    }
  }

  private static final class NotFound extends RuntimeException {
    NotFound(Who who) {
      super(who.integrationId() != null ? "integration " + who.integrationId() + " does not exist"
          : "user " + who.userId() + " has no connected integration");
    }

    NotFound(String message) {
      super(message);
    }
  }

  private static final class BadRequest extends RuntimeException {
    BadRequest(String message) {
      super(message);
    }
  }
}
