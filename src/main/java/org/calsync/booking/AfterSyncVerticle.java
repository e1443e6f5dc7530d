package org.calsync.booking;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.calsync.audit.AuditEvent;
import org.calsync.bus.Addresses;
import org.calsync.config.BookingConfig;
import org.calsync.db.Calendars;
import org.calsync.mirror.BusyBlocks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reacts to {@link Addresses#SYNC_COMPLETED}: reports new conflicts ({@link Addresses#BOOKING_CONFLICT}) and runs the
 * EMR-wins check of our events (a Google-side move or deletion is restored, with an appointment.overridden notice;
 * the relay publishes {@link Addresses#APPOINTMENT_OVERRIDDEN}). Every booking.sweepSeconds it finishes unfinished checks and renews the
 * rolling recurrence horizon once a day per calendar.
 */
final class AfterSyncVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(AfterSyncVerticle.class);

  private final BookingConfig booking;
  private final Pool pool;
  private final Appointments appointments;
  private final WriteBack writeBack;
  private final ConflictReports reports;
  private Calendars calendars;
  private BusyBlocks busyBlocks;

  AfterSyncVerticle(BookingConfig booking, Pool pool, Appointments appointments, WriteBack writeBack, ConflictReports reports) {
    this.booking = booking;
    this.pool = pool;
    this.appointments = appointments;
    this.writeBack = writeBack;
    this.reports = reports;
  }

  @Override
  public Future<?> start() {
    calendars = new Calendars(pool);
    busyBlocks = new BusyBlocks(vertx, booking);
    Sweep sweep = new Sweep("booking sweep", this::sweep);
    vertx.setPeriodic(booking.sweepSeconds() * 1000L, id -> sweep.tick());
    return vertx.eventBus().<JsonObject>consumer(Addresses.SYNC_COMPLETED, this::afterSync).completion();
  }

  private void afterSync(Message<JsonObject> msg) {
    JsonObject b = msg.body();
    if (b == null || !"synced".equals(b.getString("outcome")) || !(b.getValue("integrationId") instanceof Number n)) return;
    // Nothing in the mirror changed: no new busy time, none of our events touched (bookings report on their own).
    if (b.getInteger("changed", 1) == 0) return;
    long integrationId = n.longValue();
    reports.report(integrationId);
    checkOwnEvents(integrationId).onFailure(e -> log.warn("EMR-wins check integration={} failed: {}", integrationId, e.getMessage()));
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
            new AuditEvent("booking", "appointment.overridden", integrationId, notice).send(vertx.eventBus());
          }
          return Future.succeededFuture();
        }));
      }
      return chain;
    });
  }

  /** Unfinished EMR-wins checks, then the recurrence horizon. */
  private Future<Void> sweep() {
    return appointments.flaggedIntegrations(50).compose(ids -> {
      Future<Void> chain = Future.succeededFuture();
      for (Long id : ids) chain = chain.compose(v -> checkOwnEvents(id));
      return chain;
    }).compose(v -> renewHorizons());
  }

  /**
   * Re-expands calendars whose busy blocks were last fully expanded over a day ago (or never, after an upgrade). Each is
   * re-checked under FOR UPDATE SKIP LOCKED, so processes sharing the database never renew the same calendar twice.
   */
  private Future<Void> renewHorizons() {
    return calendars.dueForExpansion(20).compose(due -> {
      Future<Void> chain = Future.succeededFuture();
      for (Calendars.Expansion e : due) {
        chain = chain.compose(v -> pool.withTransaction(conn -> Calendars.lockIfDueForExpansion(conn, e.calendarId())
            .compose(locked -> !locked ? Future.succeededFuture()
                : busyBlocks.rebuild(conn, e.calendarId(), BusyBlocks.zone(e.timeZone()), null).mapEmpty())));
      }
      return chain;
    });
  }
}
