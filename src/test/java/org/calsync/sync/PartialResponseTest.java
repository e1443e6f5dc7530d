package org.calsync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.calsync.emulator.EmulatorOptions;
import org.calsync.emulator.GoogleEmulator;
import org.calsync.google.Google;
import org.calsync.google.GoogleCall;
import org.calsync.mirror.Mirror.EventRow;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Listings ask Google for a partial response (fields) holding everything the sync reads: every event of a calendar
 * with each kind of field the mapper looks at maps to the same rows from the partial page as from the whole one, and
 * every calendar entry to the same calendars; fields nothing reads (description, location, attendee addresses, links)
 * are not sent.
 */
class PartialResponseTest {
  private static final String ALICE = "alice@clinic.test";
  private Vertx vertx;
  private GoogleEmulator emu;
  private Google google;
  private GoogleCall call;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    emu = GoogleEmulator.start(vertx, EmulatorOptions.defaults()).await(10, TimeUnit.SECONDS);
    google = org.calsync.support.LocalGoogle.of(vertx, emu);
    emu.state().createUser(ALICE);
    String access = google.oauth().refresh(emu.state().mintRefreshToken(ALICE)).await(10, TimeUnit.SECONDS).accessToken();
    call = google.call(refused -> Future.succeededFuture(access));
  }

  @AfterEach
  void stop() throws Exception {
    google.close();
    emu.close().await(10, TimeUnit.SECONDS);
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static JsonObject at(String dateTime, String zone) {
    JsonObject t = new JsonObject().put("dateTime", dateTime);
    return zone == null ? t : t.put("timeZone", zone);
  }

  @Test
  void eventsMapAlikeFromThePartialAndTheWholeListing() throws Exception {
    emu.state().insertEvent(ALICE, new JsonObject().put("summary", "plain").put("description", "notes").put("location", "room 4")
        .put("start", at("2026-03-02T10:00:00-05:00", null)).put("end", at("2026-03-02T11:00:00-05:00", null)));
    emu.state().insertEvent(ALICE, new JsonObject().put("summary", "free").put("transparency", "transparent")
        .put("start", at("2026-03-02T12:00:00Z", null)).put("end", at("2026-03-02T13:00:00Z", null)));
    emu.state().insertEvent(ALICE, new JsonObject().put("summary", "declined")
        .put("attendees", new JsonArray().add(new JsonObject().put("email", ALICE).put("responseStatus", "declined"))
            .add(new JsonObject().put("email", "someone@else.test").put("responseStatus", "accepted")))
        .put("start", at("2026-03-03T10:00:00Z", null)).put("end", at("2026-03-03T11:00:00Z", null)));
    emu.state().insertEvent(ALICE, new JsonObject().put("summary", "all day")
        .put("start", new JsonObject().put("date", "2026-03-04")).put("end", new JsonObject().put("date", "2026-03-05")));
    emu.state().insertEvent(ALICE, new JsonObject().put("summary", "ours")
        .put("extendedProperties", new JsonObject().put("private", new JsonObject().put(EventMapper.APPOINTMENT_PROPERTY, "A-1")
            .put("other", "x")).put("shared", new JsonObject().put("s", "y")))
        .put("start", at("2026-03-05T10:00:00Z", null)).put("end", at("2026-03-05T11:00:00Z", null)));
    String weekly = emu.state().insertEvent(ALICE, new JsonObject().put("summary", "weekly")
        .put("recurrence", new JsonArray().add("RRULE:FREQ=WEEKLY;COUNT=5").add("EXDATE;TZID=America/Toronto:20260316T090000"))
        .put("start", at("2026-03-09T09:00:00", "America/Toronto")).put("end", at("2026-03-09T10:00:00", "America/Toronto")))
        .getString("id");
    emu.state().patchEvent(ALICE, weekly + "_20260323T130000Z", new JsonObject()
        .put("start", at("2026-03-24T14:00:00Z", null)).put("end", at("2026-03-24T15:00:00Z", null)));
    emu.state().deleteEvent(ALICE, weekly + "_20260330T130000Z");

    JsonObject whole = list(null, null);
    JsonObject partial = list(null, EventMapper.LIST_FIELDS_WITH_TEXT);
    assertThat(partial.getString("nextSyncToken")).isNotNull();
    assertThat(rows(partial)).hasSize(8).isEqualTo(rows(whole));
    String sent = partial.encode();
    assertThat(sent).doesNotContain("notes", "room 4", "someone@else.test", "htmlLink", "\"shared\"", "iCalUID");
    assertThat(list(null, EventMapper.LIST_FIELDS).encode()).doesNotContain("\"summary\"");

    // an incremental page: a deletion (tombstone) and a change map alike too
    String plain = whole.getJsonArray("items").getJsonObject(0).getString("id");
    emu.state().deleteEvent(ALICE, plain);
    emu.state().patchEvent(ALICE, weekly, new JsonObject().put("transparency", "transparent"));
    JsonObject changes = list(partial.getString("nextSyncToken"), EventMapper.LIST_FIELDS_WITH_TEXT);
    PageChanges mapped = PageChanges.of(changes.getJsonArray("items"), new EventMapper("America/Toronto", true));
    assertThat(mapped.deletions()).containsExactly(plain);
    assertThat(mapped.upserts()).extracting(EventRow::id).contains(weekly);
    assertThat(mapped.skipped()).isEmpty();
    assertThat(changes.getString("nextSyncToken")).isNotNull();
  }

  @Test
  void calendarEntriesAreReadAlikeFromThePartialAndTheWholeListing() throws Exception {
    String team = emu.state().addCalendar(ALICE, "Team", "Europe/Paris");
    emu.state().setListEntry(ALICE, team, null, false);
    JsonObject whole = call.calendarList(null, null, null).await(10, TimeUnit.SECONDS);
    JsonObject partial = call.calendarList(null, null, CalendarDiscovery.LIST_FIELDS).await(10, TimeUnit.SECONDS);

    assertThat(partial.getString("nextSyncToken")).isNotNull();
    assertThat(partial.getJsonArray("items")).hasSize(2);
    for (Object o : partial.getJsonArray("items")) {
      JsonObject p = (JsonObject) o;
      JsonObject w = whole.getJsonArray("items").stream().map(JsonObject.class::cast)
          .filter(e -> e.getString("id").equals(p.getString("id"))).findFirst().orElseThrow();
      for (String field : List.of("id", "accessRole", "summary", "timeZone", "selected", "primary")) {
        assertThat(p.getValue(field)).as(field).isEqualTo(w.getValue(field));
      }
      assertThat(p.containsKey("defaultReminders")).isFalse();
    }
  }

  private JsonObject list(String syncToken, String fields) throws Exception {
    return call.<JsonObject>listEvents("primary", syncToken, null, 250, fields, Future::succeededFuture).await(10, TimeUnit.SECONDS);
  }

  private static List<EventRow> rows(JsonObject page) {
    PageChanges changes = PageChanges.of(page.getJsonArray("items"), new EventMapper("America/Toronto", true));
    assertThat(changes.skipped()).isEmpty();
    return changes.upserts();
  }
}
