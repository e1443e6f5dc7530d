package org.calsync.booking;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.temporal.TemporalAdjusters;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.calsync.App;
import org.calsync.support.Harness;
import org.calsync.token.Connections;

/** A harness with booking switched on (fast sweep) and one practitioner whose calendar is in America/Toronto. */
final class BookingSupport {
  static final ZoneId TORONTO = ZoneId.of("America/Toronto");
  final Harness h;
  final String cal = "dr.house@clinic.test";
  final long integrationId;
  /** A Monday three weeks ahead (local date in Toronto). */
  final LocalDate monday = LocalDate.now(TORONTO).plusWeeks(3).with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));

  /** Starts calsync in the (not yet started) harness with the booking config overrides. */
  BookingSupport(Harness h, JsonObject booking) {
    this(h, booking, null);
  }

  /** apiBaseUrl: the Calendar API base calsync uses (null: the emulator's). */
  BookingSupport(Harness h, JsonObject booking, String apiBaseUrl) {
    this(h, booking, apiBaseUrl, new App.Parts(true, false, false), new JsonObject());
  }

  /** parts: which parts of calsync run (booking always; workers and ops as given). */
  BookingSupport(Harness h, JsonObject booking, String apiBaseUrl, App.Parts parts) {
    this(h, booking, apiBaseUrl, parts, new JsonObject());
  }

  /** google: further google.* settings. */
  BookingSupport(Harness h, JsonObject booking, String apiBaseUrl, App.Parts parts, JsonObject google) {
    this.h = h;
    JsonObject overrides = new JsonObject().put("booking", new JsonObject().put("sweepSeconds", 1).mergeIn(booking));
    if (apiBaseUrl != null) google = google.copy().put("apiBaseUrl", apiBaseUrl);
    if (!google.isEmpty()) overrides.put("google", google);
    h.configure(overrides);
    h.start(parts);
    h.emulator.state().createUser(cal);
    String refresh = h.emulator.state().mintRefreshToken(cal);
    integrationId = new Connections(h.vertx, h.pool(), h.cipher).connect(7, cal, refresh).await();
  }

  /** RFC 3339 of a local Toronto date-time, days after {@link #monday}. */
  String at(int day, String time) {
    return LocalDateTime.of(monday.plusDays(day), java.time.LocalTime.parse(time)).atZone(TORONTO).toOffsetDateTime().toString();
  }

  /** The id Google gives the instance of a recurring master starting at the given RFC 3339 time. */
  static String instanceId(String master, String rfc3339Start) {
    return master + "_" + java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").format(
        java.time.OffsetDateTime.parse(rfc3339Start).toInstant().atOffset(java.time.ZoneOffset.UTC));
  }

  JsonObject timed(int day, String from, String to) {
    return new JsonObject().put("summary", "private patient note")
        .put("start", new JsonObject().put("dateTime", at(day, from)).put("timeZone", TORONTO.getId()))
        .put("end", new JsonObject().put("dateTime", at(day, to)).put("timeZone", TORONTO.getId()));
  }

  String insert(JsonObject event) {
    return h.emulator.state().insertEvent(cal, event).getString("id");
  }

  JsonObject request(String address, JsonObject body) {
    return h.vertx.eventBus().<JsonObject>request(address, body).await().body();
  }

  /** The failure code of a request expected to fail. */
  int failure(String address, Object body) {
    try {
      h.vertx.eventBus().request(address, body).await();
    } catch (ReplyException e) {
      return e.failureCode();
    }
    throw new AssertionError("request to " + address + " succeeded");
  }

  JsonArray conflicts(String start, String end, String appointmentId) {
    return conflictReply(start, end, appointmentId).getJsonArray("conflicts");
  }

  JsonObject conflictReply(String start, String end, String appointmentId) {
    JsonObject body = new JsonObject().put("integrationId", integrationId).put("start", start).put("end", end);
    if (appointmentId != null) body.put("appointmentId", appointmentId);
    return request("calsync.booking.conflicts", body);
  }

  List<JsonObject> collect(String address) {
    List<JsonObject> seen = new CopyOnWriteArrayList<>();
    h.vertx.eventBus().<JsonObject>consumer(address, m -> seen.add(m.body())).completion().await();
    return seen;
  }

  /** Google's live events carrying our appointment marker for the id. */
  List<JsonObject> googleEventsOf(String appointmentId) {
    return h.emulator.state().groundTruth(cal).stream().filter(e -> {
      JsonObject ext = e.getJsonObject("extendedProperties");
      JsonObject priv = ext == null ? null : ext.getJsonObject("private");
      return priv != null && appointmentId.equals(priv.getString("calsyncAppointmentId"));
    }).toList();
  }
}
