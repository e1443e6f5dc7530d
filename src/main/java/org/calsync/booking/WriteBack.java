package org.calsync.booking;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import org.calsync.audit.AuditEvent;
import org.calsync.booking.Appointments.Check;
import org.calsync.booking.Appointments.Pending;
import org.calsync.bus.Addresses;
import org.calsync.config.BookingConfig;
import org.calsync.google.Google;
import org.calsync.google.GoogleApiException;
import org.calsync.google.GoogleCall;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes appointments to Google: insert under the derived id (409 duplicate: it exists, patch it), patch for moves
 * and restores (status back to confirmed, since Google keeps deleted ids reserved), delete for cancellations (404/410:
 * already gone). The event carries no patient data: booking.neutralTitle, private visibility, and the appointment id in
 * private extendedProperties. The intent is in the database first; a failed write stays pending for the sweep. When
 * Google refuses to restore our event (403 forbidden or 410 on the reserved id), the event moves to
 * {@link EventIds#successor} and the appointment records the new id.
 */
final class WriteBack {
  private static final Logger log = LoggerFactory.getLogger(WriteBack.class);
  static final int LEASE_SECONDS = 60;
  /** Private extended property naming the appointment (sync.EventMapper reads the same name into the mirror). */
  static final String APPOINTMENT_PROPERTY = "calsyncAppointmentId";

  /** What happened to one write request. */
  record Outcome(boolean written, String error) {
  }

  /** Google's copy after a write: its etag (null once deleted) and the event id it now lives under. */
  record Written(String etag, String eventId) {
  }

  /** How many times one write may move the event to a successor id. */
  private static final int MAX_MOVES = 3;

  private final Vertx vertx;
  private final Google google;
  private final Appointments appointments;
  private final BookingConfig config;
  private final String worker;

  WriteBack(Vertx vertx, Google google, Appointments appointments, BookingConfig config, String worker) {
    this.vertx = vertx;
    this.google = google;
    this.appointments = appointments;
    this.config = config;
    this.worker = worker;
  }

  /** Writes the appointment's pending versions until none is left (or one fails / another writer holds it). */
  Future<Outcome> write(String appointmentId) {
    return appointments.claim(appointmentId, worker, LEASE_SECONDS).compose(p -> {
      if (p == null) return Future.succeededFuture(new Outcome(false, null));
      return apply(p).transform(ar -> {
        if (ar.succeeded()) {
          log.info("appointment written id={} version={} status={}", p.id(), p.version(), p.status());
          audit(p.integrationId(), "appointment.written", new JsonObject().put("appointmentId", p.id())
              .put("version", p.version()).put("status", p.status()));
          return appointments.written(p, worker, ar.result().etag(), ar.result().eventId())
              .compose(more -> more ? write(appointmentId) : Future.succeededFuture(new Outcome(true, null)));
        }
        String error = describe(ar.cause());
        log.warn("appointment write failed id={} version={} (will retry): {}", p.id(), p.version(), error);
        return appointments.failed(p, worker, error).map(new Outcome(false, error));
      });
    });
  }

  /** Makes Google match p. */
  private Future<Written> apply(Pending p) {
    if ("cancelled".equals(p.status())) {
      return google.call(p.integrationId()).deleteEvent(p.calendarId(), p.eventId(), null)
          .recover(e -> status(e) == 404 || status(e) == 410 ? Future.succeededFuture() : Future.failedFuture(e))
          .map(v -> new Written(null, p.eventId()));
    }
    return upsert(p.id(), p.integrationId(), p.calendarId(), p.eventId(), event(p.id(), p.start(), p.end()),
        p.writtenVersion() == 0, 0);
  }

  /** Insert-or-patch (insertFirst) or patch-or-insert under eventId, moving to a successor id if Google refuses it. */
  private Future<Written> upsert(String appointmentId, long integrationId, String calendarId, String eventId, JsonObject body,
                                 boolean insertFirst, int moves) {
    Future<JsonObject> f = insertFirst ? insertOrPatch(integrationId, calendarId, eventId, body)
        : patchOrInsert(integrationId, calendarId, eventId, body);
    return f.map(ev -> new Written(ev.getString("etag"), eventId)).recover(e -> {
      if (!refused(e) || moves >= MAX_MOVES) return Future.failedFuture(e);
      String next = EventIds.successor(appointmentId, eventId);
      log.atWarn().setMessage("google refused our event id, moving the appointment's event").addKeyValue("appointment", appointmentId)
          .addKeyValue("from", eventId).addKeyValue("to", next).addKeyValue("status", status(e)).log();
      return upsert(appointmentId, integrationId, calendarId, next, body, true, moves + 1);
    });
  }

  /** 403 forbidden (not a rate limit or quota) or 410: this id cannot be written again. */
  private static boolean refused(Throwable e) {
    return e instanceof GoogleApiException g && (g.status() == 410
        || (g.status() == 403 && g.kind() == GoogleApiException.Kind.PERMANENT));
  }

  private Future<JsonObject> insertOrPatch(long integrationId, String calendarId, String eventId, JsonObject body) {
    GoogleCall google = this.google.call(integrationId);
    return google.insertEvent(calendarId, body.copy().put("id", eventId))
        .recover(e -> status(e) == 409 ? google.patchEvent(calendarId, eventId, body, null) : Future.failedFuture(e));
  }

  private Future<JsonObject> patchOrInsert(long integrationId, String calendarId, String eventId, JsonObject body) {
    return google.call(integrationId).patchEvent(calendarId, eventId, body, null)
        .recover(e -> status(e) == 404 ? insertOrPatch(integrationId, calendarId, eventId, body) : Future.failedFuture(e));
  }

  /**
   * EMR wins: compares a flagged appointment with Google and restores our event if it was moved or deleted there.
   * Returns the overridden notice, or null when Google already matches.
   */
  Future<JsonObject> verify(Check c) {
    boolean mirrorMatches = c.mirrorStatus() != null && !"cancelled".equals(c.mirrorStatus())
        && c.start().equals(c.mirrorStart()) && c.end().equals(c.mirrorEnd());
    if (mirrorMatches) return Future.succeededFuture(null);
    return google.call(c.integrationId()).getEvent(c.calendarId(), c.eventId())
        .recover(e -> status(e) == 404 || status(e) == 410 ? Future.succeededFuture(new JsonObject().put("status", "cancelled"))
            : Future.failedFuture(e))
        .compose(ev -> {
          Instant gs = time(ev, "start");
          Instant ge = time(ev, "end");
          boolean deleted = "cancelled".equals(ev.getString("status"));
          if (!deleted && c.start().equals(gs) && c.end().equals(ge)) return Future.succeededFuture(null);
          JsonObject notice = new JsonObject().put("integrationId", c.integrationId()).put("appointmentId", c.id())
              .put("eventId", c.eventId()).put("change", deleted ? "deleted" : "moved")
              .put("restoredStart", c.start().toString()).put("restoredEnd", c.end().toString());
          if (!deleted && gs != null) notice.put("googleStart", gs.toString());
          if (!deleted && ge != null) notice.put("googleEnd", ge.toString());
          return upsert(c.id(), c.integrationId(), c.calendarId(), c.eventId(), event(c.id(), c.start(), c.end()), false, 0)
              .compose(w -> w.eventId().equals(c.eventId()) ? Future.succeededFuture()
                  : appointments.moveEvent(c.id(), c.eventId(), w.eventId()).onSuccess(v -> notice.put("eventId", w.eventId())))
              .map(x -> notice.put("at", Instant.now().toString()));
        });
  }

  /** The Google event for an appointment: nothing but busy time and our marker. */
  JsonObject event(String appointmentId, Instant start, Instant end) {
    return new JsonObject()
        .put("summary", config.neutralTitle())
        .put("visibility", "private")
        .put("transparency", "opaque")
        .put("status", "confirmed")
        .put("start", new JsonObject().put("dateTime", start.toString()))
        .put("end", new JsonObject().put("dateTime", end.toString()))
        .put("extendedProperties", new JsonObject().put("private",
            new JsonObject().put(APPOINTMENT_PROPERTY, appointmentId)));
  }

  private void audit(long integrationId, String action, JsonObject detail) {
    new AuditEvent("booking", action, integrationId, detail).send(vertx.eventBus());
  }

  private static Instant time(JsonObject ev, String field) {
    JsonObject t = ev.getValue(field) instanceof JsonObject o ? o : null;
    if (t == null || !(t.getValue("dateTime") instanceof String s)) return null;
    try {
      return OffsetDateTime.parse(s).toInstant();
    } catch (DateTimeException e) {
      return null;
    }
  }

  static int status(Throwable e) {
    return e instanceof GoogleApiException g ? g.status() : -1;
  }

  static String describe(Throwable e) {
    if (e instanceof GoogleApiException g) return "google " + g.status() + " " + g.reason() + ": " + g.getMessage();
    if (e instanceof ReplyException r) return "token " + r.failureCode() + ": " + r.getMessage();
    return e.getClass().getSimpleName() + ": " + e.getMessage();
  }
}
