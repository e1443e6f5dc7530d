package org.calsync.booking;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import org.calsync.audit.AuditEvent;
import org.calsync.booking.Appointments.Check;
import org.calsync.booking.Appointments.LeaseLost;
import org.calsync.booking.Appointments.Pending;
import org.calsync.booking.EventWriter.Scope;
import org.calsync.bus.Addresses;
import org.calsync.config.BookingConfig;
import org.calsync.google.Google;
import org.calsync.google.GoogleApiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes appointments to Google and keeps them there (EMR wins), one writer per appointment across processes: a write
 * or a check first claims the appointment's lease (booking.writeLeaseSeconds), holds it while Google is called
 * ({@link WriteLease}) and records the result only while the lease is still its own. A lost lease is a failed write;
 * the version stays pending and the next holder writes it (its If-Match then shows what the lost holder did). The
 * intent is in the database first; a failed write stays pending for the sweep, unless Google refused it (a permanent
 * answer: 400, 403 other than rate limits, 404...) or its retries ran out: then it failed for good, with an
 * appointment.write_failed notice, until the EMR sends it again. {@link EventWriter} makes the calls.
 */
final class WriteBack {
  private static final Logger log = LoggerFactory.getLogger(WriteBack.class);

  /** What happened to one write request. */
  record Outcome(boolean written, String error) {
  }

  private final Vertx vertx;
  private final Appointments appointments;
  private final EventWriter writer;
  private final String worker;
  private final int leaseSeconds;
  private long claims;

  WriteBack(Vertx vertx, Google google, Appointments appointments, BookingConfig config, String worker) {
    this.vertx = vertx;
    this.appointments = appointments;
    this.writer = new EventWriter(google, config);
    this.worker = worker;
    this.leaseSeconds = config.writeLeaseSeconds();
  }

  /** Writes the appointment's pending versions until none is left (or one fails / another writer holds it). */
  Future<Outcome> write(String appointmentId) {
    String holder = holder();
    return appointments.claim(appointmentId, holder, leaseSeconds).compose(p -> {
      if (p == null) return Future.succeededFuture(new Outcome(false, null));
      WriteLease lease = WriteLease.held(vertx, appointments, p.id(), holder, leaseSeconds);
      return writer.write(scope(lease, p), p.eventId(), p.etag(), p.writtenVersion() == 0)
          .compose(w -> appointments.written(p, holder, w.etag(), w.eventId()))
          .andThen(ar -> lease.stop())
          .transform(ar -> {
            if (ar.succeeded()) {
              log.info("appointment written id={} version={} status={}", p.id(), p.version(), p.status());
              audit(p.integrationId(), "appointment.written", new JsonObject().put("appointmentId", p.id())
                  .put("version", p.version()).put("status", p.status()));
              return ar.result() ? write(appointmentId) : Future.succeededFuture(new Outcome(true, null));
            }
            String error = describe(ar.cause());
            if (ar.cause() instanceof LeaseLost) {
              log.warn("appointment write id={} version={} failed, the next holder writes it: {}", p.id(), p.version(), error);
              return Future.succeededFuture(new Outcome(false, error));
            }
            boolean refused = ar.cause() instanceof GoogleApiException g && g.kind() == GoogleApiException.Kind.PERMANENT;
            return appointments.failed(p, holder, error, refused).map(forGood -> {
              if (forGood) {
                log.warn("appointment write failed for good id={} version={} (sent again, it is retried): {}", p.id(),
                    p.version(), error);
                audit(p.integrationId(), "appointment.write_failed", new JsonObject().put("appointmentId", p.id())
                    .put("version", p.version()).put("status", p.status()));
              } else {
                log.warn("appointment write failed id={} version={} (will retry): {}", p.id(), p.version(), error);
              }
              return new Outcome(false, error);
            });
          });
    });
  }

  /**
   * EMR wins: compares a flagged, fully written appointment with Google under its lease and makes Google match again:
   * a moved or deleted event of a booked appointment is restored, a live event of a cancelled one is deleted, and the
   * appointment.overridden notice is appended with the result. Returns the notice, or null when Google already matches (or a writer holds the appointment: it makes Google
   * match).
   */
  Future<JsonObject> verify(Check c) {
    boolean mirrorMatches = "cancelled".equals(c.status())
        ? c.mirrorStatus() == null || "cancelled".equals(c.mirrorStatus())
        : c.mirrorStatus() != null && !"cancelled".equals(c.mirrorStatus()) && c.start().equals(c.mirrorStart())
            && c.end().equals(c.mirrorEnd());
    if (mirrorMatches) return Future.succeededFuture(null);
    String holder = holder();
    return appointments.claimCheck(c.id(), holder, leaseSeconds).compose(p -> {
      if (p == null) return Future.succeededFuture(null);
      WriteLease lease = WriteLease.held(vertx, appointments, p.id(), holder, leaseSeconds);
      Scope s = scope(lease, p);
      return writer.read(s, p.eventId()).compose(ev -> {
        if (EventWriter.matches(s, ev)) {
          return appointments.checked(p.id(), holder, ev == null ? null : ev.getString("etag"), p.eventId())
              .map((JsonObject) null);
        }
        JsonObject notice = notice(p, ev);
        return writer.reconcile(s, p.eventId(), ev).compose(w -> {
          notice.put("eventId", w.eventId()).put("at", Instant.now().toString());
          return appointments.restored(p.id(), holder, w.etag(), w.eventId(), p.integrationId(), notice).map(notice);
        });
      }).andThen(ar -> lease.stop())
          .recover(e -> appointments.release(p.id(), holder).transform(x -> Future.failedFuture(e)));
    });
  }

  /** A name for one claim: unique, so two claims in this process (a request and the sweep) never share a lease. */
  private String holder() {
    return worker + "/" + ++claims;
  }

  private static Scope scope(WriteLease lease, Pending p) {
    return p.cancelled() ? new Scope(lease, p.id(), p.integrationId(), p.calendarId(), null, null)
        : new Scope(lease, p.id(), p.integrationId(), p.calendarId(), p.start(), p.end());
  }

  /** The overridden notice (see {@link Addresses#APPOINTMENT_OVERRIDDEN}) for Google's event ev (null: none). */
  private static JsonObject notice(Pending p, JsonObject ev) {
    boolean live = ev != null && !"cancelled".equals(ev.getString("status"));
    JsonObject notice = new JsonObject().put("integrationId", p.integrationId()).put("appointmentId", p.id())
        .put("eventId", p.eventId()).put("change", p.cancelled() ? "revived" : live ? "moved" : "deleted");
    if (!p.cancelled()) notice.put("restoredStart", p.start().toString()).put("restoredEnd", p.end().toString());
    Instant gs = live ? EventWriter.time(ev, "start") : null;
    Instant ge = live ? EventWriter.time(ev, "end") : null;
    if (gs != null) notice.put("googleStart", gs.toString());
    if (ge != null) notice.put("googleEnd", ge.toString());
    return notice;
  }

  private void audit(long integrationId, String action, JsonObject detail) {
    new AuditEvent("booking", action, integrationId, detail).send(vertx.eventBus());
  }

  static String describe(Throwable e) {
    if (e instanceof GoogleApiException g) return "google " + g.status() + " " + g.reason() + ": " + g.getMessage();
    if (e instanceof ReplyException r) return "token " + r.failureCode() + ": " + r.getMessage();
    if (e instanceof LeaseLost) return e.getMessage();
    return e.getClass().getSimpleName() + ": " + e.getMessage();
  }
}
