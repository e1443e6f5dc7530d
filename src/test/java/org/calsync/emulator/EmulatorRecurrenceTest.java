package org.calsync.emulator;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

import static io.vertx.core.http.HttpMethod.DELETE;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.PATCH;
import static io.vertx.core.http.HttpMethod.POST;
import static org.assertj.core.api.Assertions.assertThat;

/** Recurring series: RRULE forms, deleted series in listings, exceptions in incremental pages, all-day DST days. */
class EmulatorRecurrenceTest extends EmulatorTestSupport {
  static final String ALICE = "alice@clinic.test";
  static final String EVENTS = "calendars/primary/events";

  private JsonObject series(String token, String start, String end, String... rules) throws Exception {
    JsonArray rec = new JsonArray();
    for (String r : rules) rec.add(r);
    HttpResponse<Buffer> r = send(api(POST, token, EVENTS), timed("series", start, end).put("recurrence", rec));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    return r.bodyAsJsonObject();
  }

  private JsonArray items(String token, String pathAndQuery) throws Exception {
    HttpResponse<Buffer> r = send(api(GET, token, pathAndQuery));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    return r.bodyAsJsonObject().getJsonArray("items");
  }

  private List<String> instanceIds(String token, String masterId) throws Exception {
    return ids(items(token, EVENTS + "/" + masterId + "/instances"));
  }

  /** A daily 09:00 Toronto series of three (June 1..3, 2026) and the sync token of a singleEvents listing. */
  private String[] dailySeriesAndSyncToken(String token) throws Exception {
    String mid = series(token, "2026-06-01T09:00:00-04:00", "2026-06-01T10:00:00-04:00", "RRULE:FREQ=DAILY;COUNT=3")
      .getString("id");
    return new String[] {mid, send(api(GET, token, EVENTS + "?singleEvents=true")).bodyAsJsonObject().getString("nextSyncToken")};
  }

  @Test
  void deletedSeriesComesBackAsCancelledInstances() throws Exception {
    String token = login(ALICE);
    String[] created = dailySeriesAndSyncToken(token);
    String mid = created[0], syncToken = created[1];
    Instant before = Instant.now().minusSeconds(60).truncatedTo(ChronoUnit.SECONDS);
    assertThat(send(api(DELETE, token, EVENTS + "/" + mid)).statusCode()).isEqualTo(204);
    List<String> expected = List.of(mid + "_20260601T130000Z", mid + "_20260602T130000Z", mid + "_20260603T130000Z");

    assertThat(items(token, EVENTS + "?singleEvents=true")).isEmpty();
    JsonArray shown = items(token, EVENTS + "?singleEvents=true&showDeleted=true");
    assertThat(ids(shown)).isEqualTo(expected);
    for (Object o : shown) {
      JsonObject in = (JsonObject) o;
      assertThat(in.getString("status")).isEqualTo("cancelled");
      assertThat(in.getString("recurringEventId")).isEqualTo(mid);
    }
    JsonArray since = items(token, EVENTS + "?singleEvents=true&updatedMin=" + enc(before.toString()));
    assertThat(ids(since)).isEqualTo(expected);
    assertThat(since.getJsonObject(0).getString("status")).isEqualTo("cancelled");
    JsonArray delta = items(token, EVENTS + "?singleEvents=true&syncToken=" + enc(syncToken));
    assertThat(ids(delta)).isEqualTo(expected);
    assertThat(delta.getJsonObject(2).getString("status")).isEqualTo("cancelled");
  }

  @Test
  void changedSeriesAndItsChangedExceptionAppearOnce() throws Exception {
    String token = login(ALICE);
    String[] created = dailySeriesAndSyncToken(token);
    String mid = created[0], syncToken = created[1];
    String second = mid + "_20260602T130000Z";
    assertThat(send(api(PATCH, token, EVENTS + "/" + second), new JsonObject().put("summary", "moved")).statusCode())
      .isEqualTo(200);
    assertThat(send(api(PATCH, token, EVENTS + "/" + mid), new JsonObject().put("description", "agenda")).statusCode())
      .isEqualTo(200);

    for (int max : List.of(250, 1)) {
      List<String> seen = new ArrayList<>();
      String pageToken = null;
      do {
        HttpResponse<Buffer> r = send(api(GET, token, EVENTS + "?singleEvents=true&maxResults=" + max + "&syncToken="
          + enc(syncToken) + (pageToken == null ? "" : "&pageToken=" + enc(pageToken))));
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
        seen.addAll(ids(r.bodyAsJsonObject().getJsonArray("items")));
        pageToken = r.bodyAsJsonObject().getString("nextPageToken");
      } while (pageToken != null);
      assertThat(seen).as("maxResults=" + max).hasSize(3).doesNotHaveDuplicates().contains(second);
    }
    JsonArray delta = items(token, EVENTS + "?singleEvents=true&syncToken=" + enc(syncToken));
    JsonObject exception = delta.stream().map(JsonObject.class::cast).filter(o -> o.getString("id").equals(second))
      .findFirst().orElseThrow();
    assertThat(exception.getString("summary")).isEqualTo("moved");
  }

  @Test
  void allDayInstancesSpanTheirDayAcrossTheFallBack() throws Exception {
    String token = login(ALICE);
    // Toronto falls back on 2026-11-01: that day has 25 hours
    HttpResponse<Buffer> r = send(api(POST, token, EVENTS), new JsonObject().put("summary", "off")
      .put("start", new JsonObject().put("date", "2026-10-31")).put("end", new JsonObject().put("date", "2026-11-01"))
      .put("recurrence", new JsonArray().add("RRULE:FREQ=DAILY;COUNT=3")));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    String mid = r.bodyAsJsonObject().getString("id");
    JsonArray instances = items(token, EVENTS + "/" + mid + "/instances");
    assertThat(instances).hasSize(3);
    List<String> starts = new ArrayList<>();
    for (Object o : instances) {
      JsonObject in = (JsonObject) o;
      LocalDate start = LocalDate.parse(in.getJsonObject("start").getString("date"));
      starts.add(start.toString());
      assertThat(in.getJsonObject("end").getString("date")).isEqualTo(start.plusDays(1).toString());
    }
    assertThat(starts).containsExactly("2026-10-31", "2026-11-01", "2026-11-02");
  }

  @Test
  void yearlyUntilInTheEventZoneAndMonthlyByDay() throws Exception {
    String token = login(ALICE);
    String yearly = series(token, "2026-07-10T09:00:00-04:00", "2026-07-10T10:00:00-04:00", "RRULE:FREQ=YEARLY;COUNT=3")
      .getString("id");
    assertThat(instanceIds(token, yearly)).containsExactly(yearly + "_20260710T130000Z", yearly + "_20270710T130000Z",
      yearly + "_20280710T130000Z");

    // 21:00 in Toronto is 01:00Z the next day: a date UNTIL and a floating UNTIL both still include June 3 local
    String dateUntil = series(token, "2026-06-01T21:00:00-04:00", "2026-06-01T22:00:00-04:00",
      "RRULE:FREQ=DAILY;UNTIL=20260603").getString("id");
    assertThat(instanceIds(token, dateUntil)).hasSize(3).last().isEqualTo(dateUntil + "_20260604T010000Z");
    String floating = series(token, "2026-06-01T21:00:00-04:00", "2026-06-01T22:00:00-04:00",
      "RRULE:FREQ=DAILY;UNTIL=20260603T210000").getString("id");
    assertThat(instanceIds(token, floating)).hasSize(3).last().isEqualTo(floating + "_20260604T010000Z");
    String utc = series(token, "2026-06-01T21:00:00-04:00", "2026-06-01T22:00:00-04:00",
      "RRULE:FREQ=DAILY;UNTIL=20260603T210000Z").getString("id");
    assertThat(instanceIds(token, utc)).hasSize(2);

    // second Tuesday and last Friday of each month
    String monthly = series(token, "2026-06-09T09:00:00-04:00", "2026-06-09T10:00:00-04:00",
      "RRULE:FREQ=MONTHLY;BYDAY=2TU,-1FR;COUNT=4").getString("id");
    assertThat(instanceIds(token, monthly)).containsExactly(monthly + "_20260609T130000Z", monthly + "_20260626T130000Z",
      monthly + "_20260714T130000Z", monthly + "_20260731T130000Z");
    JsonArray single = items(token, EVENTS + "?singleEvents=true&orderBy=startTime&timeMin=" + enc("2026-07-01T00:00:00Z")
      + "&timeMax=" + enc("2026-08-01T00:00:00Z"));
    assertThat(ids(single)).contains(monthly + "_20260714T130000Z", monthly + "_20260731T130000Z");
  }

  @Test
  void recurringEventWithoutStartTimeZoneIsRefused() throws Exception {
    String token = login(ALICE);
    HttpResponse<Buffer> r = send(api(POST, token, EVENTS), new JsonObject().put("summary", "no zone")
      .put("start", new JsonObject().put("dateTime", "2026-06-01T09:00:00-04:00"))
      .put("end", new JsonObject().put("dateTime", "2026-06-01T10:00:00-04:00"))
      .put("recurrence", new JsonArray().add("RRULE:FREQ=DAILY;COUNT=2")));
    assertThat(r.statusCode()).isEqualTo(400);
    JsonObject error = r.bodyAsJsonObject().getJsonObject("error");
    assertThat(error.getString("message")).isEqualTo("Missing time zone definition for start time.");
    assertThat(error.getJsonArray("errors").getJsonObject(0).getString("reason")).isEqualTo("required");
    assertThat(emu.state().groundTruth(ALICE)).isEmpty();
    // a single event needs no zone
    assertThat(send(api(POST, token, EVENTS), new JsonObject()
      .put("start", new JsonObject().put("dateTime", "2026-06-01T09:00:00-04:00"))
      .put("end", new JsonObject().put("dateTime", "2026-06-01T10:00:00-04:00"))).statusCode()).isEqualTo(200);
    assertThat(new HashSet<>(emu.state().groundTruth(ALICE))).hasSize(1);
  }
}
