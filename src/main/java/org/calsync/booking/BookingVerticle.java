package org.calsync.booking;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import java.util.UUID;
import org.calsync.bus.Addresses;
import org.calsync.config.BookingConfig;
import org.calsync.config.CalsyncConfig;
import org.calsync.db.Integrations;
import org.calsync.google.Google;

/**
 * The EMR side over the event bus (addresses and shapes in {@link Addresses}), deployed as three verticles that
 * undeploy with this one: {@link AvailabilityVerticle} (conflict checks, availability), {@link AppointmentVerticle}
 * (appointment notifications written back to Google) and {@link AfterSyncVerticle} (conflict reports and the EMR-wins
 * check after each sync, recurrence horizon). The two that call Google share one write-back.
 */
public final class BookingVerticle extends VerticleBase {
  private final CalsyncConfig config;
  private final Pool pool;
  private final Google google;

  public BookingVerticle(CalsyncConfig config, Pool pool, Google google) {
    this.config = config;
    this.pool = pool;
    this.google = google;
  }

  @Override
  public Future<?> start() {
    BookingConfig booking = config.booking();
    String worker = "booking/" + UUID.randomUUID().toString().substring(0, 8);
    Appointments appointments = new Appointments(pool);
    WriteBack writeBack = new WriteBack(vertx, google, appointments, booking, worker);
    ConflictReports reports = new ConflictReports(new BusyQueries(vertx, pool, booking, null));
    return vertx.deployVerticle(new AvailabilityVerticle(booking, config.db(), pool))
        .compose(v -> vertx.deployVerticle(new AppointmentVerticle(booking, new Integrations(pool), appointments, writeBack,
            reports)))
        .compose(v -> vertx.deployVerticle(new AfterSyncVerticle(booking, pool, appointments, writeBack, reports)));
  }
}
