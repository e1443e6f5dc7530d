package org.calsync.booking;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import org.calsync.booking.Appointments.Intent;
import org.calsync.booking.Requests.Booking;
import org.calsync.booking.Requests.Cancellation;
import org.calsync.bus.Addresses;
import org.calsync.bus.BusFailure;
import org.calsync.bus.FailureCode;
import org.calsync.bus.Messages;
import org.calsync.config.BookingConfig;
import org.calsync.db.Integrations;

/**
 * Serves {@link Addresses#APPOINTMENT_BOOKED}, {@link Addresses#APPOINTMENT_RESCHEDULED} and
 * {@link Addresses#APPOINTMENT_CANCELLED} (contracts there): stores the intent, then writes it to Google; pending
 * writes are retried every booking.sweepSeconds.
 */
final class AppointmentVerticle extends VerticleBase {
  private final BookingConfig booking;
  private final Integrations integrations;
  private final Appointments appointments;
  private final WriteBack writeBack;
  private final ConflictReports reports;

  AppointmentVerticle(BookingConfig booking, Integrations integrations, Appointments appointments, WriteBack writeBack,
                      ConflictReports reports) {
    this.booking = booking;
    this.integrations = integrations;
    this.appointments = appointments;
    this.writeBack = writeBack;
    this.reports = reports;
  }

  @Override
  public Future<?> start() {
    Sweep sweep = new Sweep("appointment sweep", this::writePending);
    vertx.setPeriodic(booking.sweepSeconds() * 1000L, id -> sweep.tick());
    int maxDays = booking.maxRangeDays();
    var bus = vertx.eventBus();
    return Future.join(
        bus.consumer(Addresses.APPOINTMENT_BOOKED, msg -> Messages.serve(msg, b -> Booking.parse(b, maxDays), this::book))
            .completion(),
        bus.consumer(Addresses.APPOINTMENT_RESCHEDULED, msg -> Messages.serve(msg, b -> Booking.parse(b, maxDays), this::book))
            .completion(),
        bus.consumer(Addresses.APPOINTMENT_CANCELLED, msg -> Messages.serve(msg, Cancellation::parse, this::cancel))
            .completion());
  }

  private Future<JsonObject> book(Booking b) {
    String id = b.appointmentId();
    return integrations.find(b.who().integrationId(), b.who().userId()).compose(integrationId -> {
      if (integrationId == null) return Future.failedFuture(b.who().notFound());
      return integrations.writeBack(integrationId).compose(writable -> writable ? Future.succeededFuture()
          : Future.failedFuture(new BusFailure(FailureCode.NEEDS_RECONNECT, "integration " + integrationId + " is connected "
              + "read-only (the practitioner granted no write access to the calendar), so write-back is off; send a "
              + "reconnect link (POST /v1/connect-links with integrationId) and allow calsync to edit calendar events")))
          .compose(v -> appointments.book(id, integrationId, b.range().start(), b.range().end()).compose(intent -> {
        if (intent.otherIntegration() != null) {
          return Future.failedFuture(BusFailure.badRequest("appointment " + id + " belongs to integration "
              + intent.otherIntegration() + "; cancel it and book it anew"));
        }
        return afterIntent(id, intent).onSuccess(r -> reports.report(integrationId));
      }));
    });
  }

  private Future<JsonObject> cancel(Cancellation c) {
    String id = c.appointmentId();
    return appointments.cancel(id).compose(intent -> intent == null
        ? Future.failedFuture(BusFailure.notFound("appointment " + id + " is unknown"))
        : afterIntent(id, intent));
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

  /** Writes the due pending appointments, one at a time. */
  private Future<Void> writePending() {
    return appointments.due(100).compose(ids -> {
      Future<Void> chain = Future.succeededFuture();
      for (String id : ids) chain = chain.compose(v -> writeBack.write(id).mapEmpty());
      return chain;
    });
  }
}
