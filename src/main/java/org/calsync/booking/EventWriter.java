package org.calsync.booking;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.function.Function;
import org.calsync.config.BookingConfig;
import org.calsync.google.Google;
import org.calsync.google.GoogleApiException;
import org.calsync.google.GoogleCall;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes Google's copy of one appointment's event match what the EMR wants, under the appointment's write lease: each
 * call is made only once the lease is confirmed ({@link WriteLease#guard}), and each update or delete of an existing
 * event carries the etag last seen as If-Match. A 412 (the event changed since), a 409 on insert (it exists) or an
 * unknown etag re-reads the event and decides again from what Google holds now, at most {@link #MAX_READS} times.
 *
 * <p>Booked: insert under the derived id, or patch (status back to confirmed, since Google keeps deleted ids reserved);
 * when Google refuses the id (403 forbidden or 410) the event moves to {@link EventIds#successor}. Cancelled: delete
 * (404/410: already gone). The event carries no patient data: booking.neutralTitle, private visibility, and the
 * appointment id in private extendedProperties.
 */
final class EventWriter {
  private static final Logger log = LoggerFactory.getLogger(EventWriter.class);
  /** Private extended property naming the appointment (sync.EventMapper reads the same name into the mirror). */
  static final String APPOINTMENT_PROPERTY = "calsyncAppointmentId";
  private static final int MAX_READS = 3;
  private static final int MAX_MOVES = 3;

  /** One appointment's write: its lease, where its event lives, and what Google should show (start null: nothing). */
  record Scope(WriteLease lease, String appointmentId, long integrationId, String calendarId, Instant start, Instant end) {
    boolean cancelled() {
      return start == null;
    }
  }

  /** Google's copy after a write: its etag (null when unknown, e.g. deleted) and the event id it lives under. */
  record Written(String etag, String eventId) {
  }

  private final Google google;
  private final BookingConfig config;

  EventWriter(Google google, BookingConfig config) {
    this.google = google;
    this.config = config;
  }

  /** Writes the target over eventId, whose etag as last known is etag (null: unknown); insertFirst: never written. */
  Future<Written> write(Scope s, String eventId, String etag, boolean insertFirst) {
    if (s.cancelled()) {
      return delete(s, eventId, etag, 1);
    }
    return moving(s, eventId, 0, id -> !id.equals(eventId) || insertFirst ? insert(s, id, 1)
        : etag == null ? reread(s, id, 1) : patch(s, id, etag, 1));
  }

  /** Makes Google match the target from ev, the event as just read (null: it does not exist). */
  Future<Written> reconcile(Scope s, String eventId, JsonObject ev) {
    return moving(s, eventId, 0, id -> id.equals(eventId) ? decide(s, id, ev, 1) : insert(s, id, 1));
  }

  /** events.get under the lease; null when Google has no such event. */
  Future<JsonObject> read(Scope s, String eventId) {
    return call(s, g -> g.getEvent(s.calendarId(), eventId))
        .recover(e -> status(e) == 404 || status(e) == 410 ? Future.succeededFuture(null) : Future.failedFuture(e));
  }

  /** True when ev (null: none) already is what the target asks for. */
  static boolean matches(Scope s, JsonObject ev) {
    boolean live = ev != null && !"cancelled".equals(ev.getString("status"));
    if (s.cancelled()) return !live;
    return live && s.start().equals(time(ev, "start")) && s.end().equals(time(ev, "end"));
  }

  private Future<Written> decide(Scope s, String eventId, JsonObject ev, int reads) {
    if (matches(s, ev)) return Future.succeededFuture(new Written(ev == null ? null : ev.getString("etag"), eventId));
    if (s.cancelled()) return delete(s, eventId, ev.getString("etag"), reads);
    if (ev == null) return insert(s, eventId, reads);
    return patch(s, eventId, ev.getString("etag"), reads);
  }

  private Future<Written> reread(Scope s, String eventId, int reads) {
    if (reads > MAX_READS) {
      return Future.failedFuture(new IllegalStateException("event " + eventId + " changed in Google during each of "
          + MAX_READS + " attempts"));
    }
    return read(s, eventId).compose(ev -> decide(s, eventId, ev, reads + 1));
  }

  private Future<Written> delete(Scope s, String eventId, String etag, int reads) {
    return call(s, g -> g.deleteEvent(s.calendarId(), eventId, etag))
        .map(v -> new Written(null, eventId))
        .recover(e -> status(e) == 404 || status(e) == 410 ? Future.succeededFuture(new Written(null, eventId))
            : status(e) == 412 ? reread(s, eventId, reads) : Future.failedFuture(e));
  }

  private Future<Written> insert(Scope s, String eventId, int reads) {
    return call(s, g -> g.insertEvent(s.calendarId(), event(s).put("id", eventId)))
        .map(ev -> new Written(ev.getString("etag"), eventId))
        .recover(e -> status(e) == 409 ? reread(s, eventId, reads) : Future.failedFuture(e));
  }

  private Future<Written> patch(Scope s, String eventId, String etag, int reads) {
    return call(s, g -> g.patchEvent(s.calendarId(), eventId, event(s), etag))
        .map(ev -> new Written(ev.getString("etag"), eventId))
        .recover(e -> status(e) == 404 ? insert(s, eventId, reads)
            : status(e) == 412 ? reread(s, eventId, reads) : Future.failedFuture(e));
  }

  /** Runs attempt on eventId, moving to a successor id (at most {@link #MAX_MOVES} times) when Google refuses it. */
  private Future<Written> moving(Scope s, String eventId, int moves, Function<String, Future<Written>> attempt) {
    return attempt.apply(eventId).recover(e -> {
      if (!refused(e) || moves >= MAX_MOVES) return Future.failedFuture(e);
      String next = EventIds.successor(s.appointmentId(), eventId);
      log.atWarn().setMessage("google refused our event id, moving the appointment's event").addKeyValue("appointment", s.appointmentId())
          .addKeyValue("from", eventId).addKeyValue("to", next).addKeyValue("status", status(e)).log();
      return moving(s, next, moves + 1, attempt);
    });
  }

  /** One Google call (with google/'s throttle, retries and 401 refresh) once the lease is confirmed held. */
  private <T> Future<T> call(Scope s, Function<GoogleCall, Future<T>> op) {
    return s.lease().guard(() -> op.apply(google.call(s.integrationId())));
  }

  /** 403 forbidden (not a rate limit or quota) or 410: this id cannot be written again. */
  private static boolean refused(Throwable e) {
    return e instanceof GoogleApiException g && (g.status() == 410
        || (g.status() == 403 && g.kind() == GoogleApiException.Kind.PERMANENT));
  }

  /** The Google event for an appointment: nothing but busy time and our marker. */
  private JsonObject event(Scope s) {
    return new JsonObject()
        .put("summary", config.neutralTitle())
        .put("visibility", "private")
        .put("transparency", "opaque")
        .put("status", "confirmed")
        .put("start", new JsonObject().put("dateTime", s.start().toString()))
        .put("end", new JsonObject().put("dateTime", s.end().toString()))
        .put("extendedProperties", new JsonObject().put("private",
            new JsonObject().put(APPOINTMENT_PROPERTY, s.appointmentId())));
  }

  static Instant time(JsonObject ev, String field) {
    JsonObject t = ev == null ? null : ev.getValue(field) instanceof JsonObject o ? o : null;
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
}
