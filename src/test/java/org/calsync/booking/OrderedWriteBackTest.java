package org.calsync.booking;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.calsync.App;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Writes of one appointment are serialised across processes sharing the database. Instance A (the harness) reaches
 * Google through a proxy that can hold a request (a slow Google); instance B, a second calsync on its own Vert.x with
 * its own event bus, reaches the emulator directly. Whatever the interleaving, Google ends up with what the EMR last
 * asked for: no live event for a cancelled appointment, the rescheduled time for a booked one.
 */
@ExtendWith(HarnessExtension.class)
class OrderedWriteBackTest {
  private GoogleProxy proxy;
  private BookingSupport b;
  private Vertx otherVertx;
  private App other;

  /** Instance B; the harness (instance A) is closed after it. */
  @AfterEach
  void tearDown() throws Exception {
    if (other != null) other.close().await(30, TimeUnit.SECONDS);
    if (otherVertx != null) otherVertx.close().await(10, TimeUnit.SECONDS);
  }

  /** Instance A through the proxy, with booking settings and a request timeout far beyond any hold here. */
  private void start(Harness h, JsonObject booking) {
    proxy = GoogleProxy.start(h.vertx, h.emulator.baseUrl());
    b = new BookingSupport(h, booking, proxy.apiBaseUrl(), new App.Parts(true, false, false),
        new JsonObject().put("requestTimeoutMs", 60_000));
    b.h.runCycle();
  }

  /** Instance B: same database and keys, straight to the emulator. */
  private void startOther(JsonObject booking) {
    otherVertx = Vertx.vertx();
    JsonObject overrides = new JsonObject().put("booking", new JsonObject().put("sweepSeconds", 1).mergeIn(booking));
    other = App.start(otherVertx, b.h.config(overrides), b.h.cipher, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
        new App.Parts(true, false, false)).await();
  }

  private JsonObject appt(String id, int day, String from, String to) {
    return new JsonObject().put("appointmentId", id).put("integrationId", b.integrationId)
        .put("start", b.at(day, from)).put("end", b.at(day, to));
  }

  private Future<Message<JsonObject>> onA(String address, JsonObject body) {
    return b.h.vertx.eventBus().request(address, body);
  }

  private JsonObject onB(String address, JsonObject body) {
    return otherVertx.eventBus().<JsonObject>request(address, body).await().body();
  }

  private static JsonObject cancel(String id) {
    return new JsonObject().put("appointmentId", id);
  }

  private void awaitHeld(String eventId) {
    Harness.await("the PATCH reached the slow Google", () -> proxy.held(HttpMethod.PATCH, eventId) == 1);
  }

  /** Starts both instances; A books id, then reschedules it to day 2 at 14:00 with the PATCH held at the slow Google. */
  private Future<Message<JsonObject>> heldReschedule(Harness h, String id, JsonObject booking) {
    start(h, booking);
    startOther(booking);
    assertThat(onA("calsync.appointment.booked", appt(id, 1, "10:00", "10:30")).await().body().getBoolean("written")).isTrue();
    String eventId = EventIds.forAppointment(id);
    proxy.hold(HttpMethod.PATCH, eventId);
    Future<Message<JsonObject>> rescheduled = onA("calsync.appointment.rescheduled", appt(id, 2, "14:00", "14:30"));
    awaitHeld(eventId);
    return rescheduled;
  }

  /** Eventually every write of the appointment is recorded, and Google has no live event for it. */
  private void awaitCancelledEverywhere(String id) {
    Harness.eventually(() -> {
      assertThat(b.h.query("SELECT count(*) FROM appointments WHERE id = $1 AND status = 'cancelled' "
          + "AND written_version = version", id).get(0).getLong(0)).as("cancel recorded as written").isEqualTo(1);
      assertThat(b.googleEventsOf(id)).as("live Google events of cancelled appointment " + id).isEmpty();
    });
  }

  private Instant googleStart(String id) {
    List<JsonObject> live = b.googleEventsOf(id);
    assertThat(live).hasSize(1);
    return OffsetDateTime.parse(live.get(0).getJsonObject("start").getString("dateTime")).toInstant();
  }

  @Test
  void aSlowReschedulePatchKeepsItsLeaseAndTheCancelFromAnotherProcessWaitsForIt(Harness h) {
    String eventId = EventIds.forAppointment("W-1");
    Future<Message<JsonObject>> rescheduled = heldReschedule(h, "W-1", new JsonObject().put("writeLeaseSeconds", 3));
    var first = b.h.query("SELECT write_locked_until FROM appointments WHERE id = 'W-1'").get(0).getOffsetDateTime(0);
    Harness.await("the first term of A's lease ran out", () -> b.h.query("SELECT now() > $1", first).get(0).getBoolean(0));

    JsonObject cancelled = onB("calsync.appointment.cancelled", cancel("W-1"));
    proxy.release(HttpMethod.PATCH, eventId);
    JsonObject reply = rescheduled.await().body();
    awaitCancelledEverywhere("W-1");
    assertThat(cancelled.getBoolean("written")).as("B could not write while A's call was in flight").isFalse();
    assertThat(reply.getString("error")).isNull();
  }

  @Test
  void aReschedulePatchLandingAfterTheCancelIsRefusedByGoogle(Harness h) {
    String eventId = EventIds.forAppointment("W-2");
    Future<Message<JsonObject>> rescheduled = heldReschedule(h, "W-2", new JsonObject());
    // A stalls longer than its lease (a pause, a network cut): the lease lapses and the cancel goes through B
    b.h.query("UPDATE appointments SET write_locked_until = now() - interval '1 second' WHERE id = 'W-2'");
    onB("calsync.appointment.cancelled", cancel("W-2"));
    // (A's own sweep may re-claim the lapsed reschedule first: its PATCH is held too, and the cancel then waits for it)

    // the stale PATCH lands now, conditional on the etag it was sent with: 412, nothing revived
    proxy.release(HttpMethod.PATCH, eventId);
    JsonObject reply = rescheduled.await().body();
    awaitCancelledEverywhere("W-2");
    assertThat(reply.getString("error")).as("A's write failed").contains("lease");
    assertThat(proxy.exchanges).anyMatch(x -> x.startsWith("PATCH " + eventId + " \"") && x.endsWith("-> 412"));
    b.h.runCycle();
    assertThat(b.h.query("SELECT count(*) FROM calendar_events WHERE google_event_id = $1 AND status <> 'cancelled'", eventId)
        .get(0).getLong(0)).as("mirror").isZero();
  }

  @Test
  void aLostLeaseIsReportedAsAFailureAndTheWriteIsRedone(Harness h) {
    String eventId = EventIds.forAppointment("W-3");
    Future<Message<JsonObject>> rescheduled = heldReschedule(h, "W-3", new JsonObject());
    // A's lease lapsed and another writer claimed the appointment, then died
    b.h.query("UPDATE appointments SET write_lock = 'booking/gone/1', write_locked_until = now() - interval '1 second' "
        + "WHERE id = 'W-3'");
    proxy.release(HttpMethod.PATCH, eventId);

    assertThat(rescheduled.await().body().getString("error")).as("A's write failed").contains("lease");
    Harness.eventually(() -> assertThat(b.h.query("SELECT count(*) FROM appointments WHERE id = 'W-3' "
        + "AND written_version = version AND google_etag IS NOT NULL").get(0).getLong(0)).as("redone").isEqualTo(1));
    assertThat(googleStart("W-3")).isEqualTo(OffsetDateTime.parse(b.at(2, "14:00")).toInstant());
    assertThat(b.h.query("SELECT google_etag FROM appointments WHERE id = 'W-3'").get(0).getString(0))
        .as("the stored etag is Google's").isEqualTo(b.googleEventsOf("W-3").get(0).getString("etag"));
  }

  @Test
  void theEmrWinsRestoreHoldsTheLeaseSoALaterRescheduleIsNotOverwritten(Harness h) {
    start(h, new JsonObject());
    List<JsonObject> overridden = b.collect("calsync.appointment.overridden");
    assertThat(onA("calsync.appointment.booked", appt("W-4", 1, "10:00", "10:30")).await().body().getBoolean("written")).isTrue();
    String eventId = EventIds.forAppointment("W-4");
    b.h.emulator.state().patchEvent(b.cal, eventId, new JsonObject()
        .put("start", new JsonObject().put("dateTime", b.at(1, "12:00"))).put("end", new JsonObject().put("dateTime", b.at(1, "12:30"))));

    proxy.hold(HttpMethod.PATCH, eventId);
    b.h.runCycle();
    awaitHeld(eventId); // A restores 10:00 slowly
    startOther(new JsonObject());
    JsonObject moved = onB("calsync.appointment.rescheduled", appt("W-4", 3, "16:00", "16:30"));

    proxy.release(HttpMethod.PATCH, eventId);
    Harness.eventually(() -> assertThat(overridden).hasSize(1));
    Harness.eventually(() -> {
      assertThat(b.h.query("SELECT count(*) FROM appointments WHERE id = 'W-4' AND written_version = version")
          .get(0).getLong(0)).isEqualTo(1);
      assertThat(googleStart("W-4")).as("the EMR's last word").isEqualTo(OffsetDateTime.parse(b.at(3, "16:00")).toInstant());
    });
    assertThat(moved.getBoolean("written")).as("B waited for A's restore").isFalse();
  }

  @Test
  void aLiveEventOfACancelledAppointmentIsDeletedAgain(Harness h) {
    start(h, new JsonObject());
    List<JsonObject> overridden = b.collect("calsync.appointment.overridden");
    assertThat(onA("calsync.appointment.booked", appt("W-5", 1, "10:00", "10:30")).await().body().getBoolean("written")).isTrue();
    assertThat(onA("calsync.appointment.cancelled", cancel("W-5")).await().body().getBoolean("written")).isTrue();
    String eventId = EventIds.forAppointment("W-5");
    assertThat(b.googleEventsOf("W-5")).isEmpty();

    // revived in Google (an undelete, or a late write that got through)
    b.h.emulator.state().patchEvent(b.cal, eventId, new JsonObject().put("status", "confirmed"));
    assertThat(b.googleEventsOf("W-5")).hasSize(1);
    b.h.runCycle();
    Harness.eventually(() -> assertThat(overridden).hasSize(1));
    assertThat(overridden.get(0).getString("change")).isEqualTo("revived");
    assertThat(overridden.get(0).getString("googleStart")).isEqualTo(OffsetDateTime.parse(b.at(1, "10:00")).toInstant().toString());
    assertThat(b.googleEventsOf("W-5")).isEmpty();
    assertThat(b.h.query("SELECT status FROM appointments WHERE id = 'W-5'").get(0).getString(0)).isEqualTo("cancelled");
  }
}
