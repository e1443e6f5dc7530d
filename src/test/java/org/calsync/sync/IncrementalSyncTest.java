package org.calsync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.calsync.App;
import org.calsync.db.JobQueue;
import org.calsync.support.Cli;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Incremental listings as Google may send them: tombstones of events never mirrored, an event listed twice, a listing
 * cut short between pages, an event no mapper accepts. A proxy in front of the emulator answers the cases the emulator
 * does not produce by itself.
 */
@ExtendWith(HarnessExtension.class)
class IncrementalSyncTest {
  private Harness h;
  private ListingProxy proxy;
  private String cal;
  private long integration;

  @BeforeEach
  void setUp(Harness harness) {
    proxy = ListingProxy.start(harness.vertx, harness.emulator.baseUrl());
    h = harness.configure(new JsonObject()
        .put("google", new JsonObject().put("apiBaseUrl", proxy.apiBaseUrl()))
        .put("sync", new JsonObject().put("maxDeleteShare", 0.5).put("maxDeleteMinimum", 3).put("pageSize", 5)));
    h.start(new App.Parts(true, false, false));
    Map<String, Long> ids = h.connectSeeded(1, 10);
    cal = ids.keySet().iterator().next();
    integration = ids.get(cal);
  }

  @AfterEach
  void tearDown() {
    if (proxy != null) proxy.close();
  }

  @Test
  void listingsAskForOnlyTheFieldsTheSyncReads() {
    List<String> asked = java.util.Collections.synchronizedList(new ArrayList<>());
    proxy.forbid = uri -> {
      asked.add(uri);
      return false;
    };
    h.runCycle();
    h.emulator.state().insertEvent(cal, event(1, 0));
    h.runCycle();

    assertThat(asked).as("a full listing of two pages, then an incremental one").hasSizeGreaterThanOrEqualTo(3)
        .allSatisfy(uri -> assertThat(uri).contains("fields=" + EventMapper.LIST_FIELDS).doesNotContain("summary"));
    assertThat(h.mirrored(cal)).hasSize(11).isEqualTo(h.truth(cal));
  }

  @Test
  void tombstonesOfEventsNeverMirroredDoNotTripTheMassDeletionGuard() {
    h.runCycle();
    assertThat(h.mirrored(cal)).hasSize(10);
    String token = syncToken();
    for (int i = 0; i < 30; i++) {
      String id = h.emulator.state().insertEvent(cal, event(i, 0)).getString("id");
      h.emulator.state().deleteEvent(cal, id);
    }
    String late = h.emulator.state().insertEvent(cal, event(40, 0)).getString("id");

    h.runCycle();

    assertThat(failedJobs()).as("nothing refused").isEmpty();
    assertThat(syncToken()).as("the token advanced").isNotEqualTo(token);
    assertThat(h.mirrored(cal)).contains(late).isEqualTo(h.truth(cal));
  }

  @Test
  void theSameEventTwiceInOnePageIsWrittenOnceTheLastVersionWinning() {
    // every page lists its first event twice: first a stale version (a day earlier), then the current one
    proxy.rewrite = (calendarId, page) -> {
      JsonArray items = page.getJsonArray("items", new JsonArray());
      if (items.isEmpty() || !"confirmed".equals(items.getJsonObject(0).getString("status", "confirmed"))) return page;
      JsonObject stale = items.getJsonObject(0).copy();
      stale.put("start", shifted(stale.getJsonObject("start"))).put("end", shifted(stale.getJsonObject("end")));
      items.getList().add(0, stale);
      return page;
    };
    h.runCycle();
    assertThat(failedJobs()).as("full listing").isEmpty();
    assertThat(h.mirrored(cal)).isEqualTo(h.truth(cal));

    String moved = h.truth(cal).iterator().next();
    h.emulator.state().patchEvent(cal, moved, event(7, 3));
    h.runCycle();

    assertThat(failedJobs()).as("incremental listing").isEmpty();
    assertThat(h.mirrored(cal)).isEqualTo(h.truth(cal));
  }

  @Test
  void aListingCutShortAppliesItsPagesKeepsTheOldTokenAndDeletesNothingUntilComplete() {
    h.runCycle();
    String token = syncToken();
    List<String> mirrored = new ArrayList<>(h.mirrored(cal));
    List<String> added = new ArrayList<>();
    for (int i = 0; i < 12; i++) added.add(h.emulator.state().insertEvent(cal, event(i, 1)).getString("id"));
    List<String> deleted = mirrored.subList(0, 3);
    for (String id : deleted) h.emulator.state().deleteEvent(cal, id);
    // Google stops answering after the first page of the incremental listing (pages of 5: 15 changes, 3 pages)
    proxy.forbid = uri -> uri.contains("syncToken=") && uri.contains("pageToken=");

    h.runCycle();

    assertThat(failedJobs()).hasSize(1);
    assertThat(syncToken()).as("old token kept").isEqualTo(token);
    assertThat(h.mirrored(cal)).as("the first page is applied").containsAnyElementsOf(added);
    assertThat(h.mirrored(cal)).as("deletions wait for the complete listing").containsAll(deleted);
    assertThat(h.count("SELECT count(*) FROM staged_deletions")).as("staged deletions of the failed run discarded").isZero();

    // a left-over of a listing that crashed mid-way (another run id) is never applied
    String keep = mirrored.get(5);
    h.query("INSERT INTO staged_deletions (run_id, calendar_id, google_event_id) SELECT $1, id, $2 FROM calendars",
        UUID.randomUUID(), keep);
    proxy.forbid = null;
    assertThat(new JobQueue(h.pool()).retryFailed(null).await()).isEqualTo(1);
    h.awaitQueueDrained(30);

    assertThat(syncToken()).isNotEqualTo(token);
    assertThat(h.mirrored(cal)).contains(keep).containsAll(added).doesNotContainAnyElementsOf(deleted).isEqualTo(h.truth(cal));
    assertThat(h.responseData(integration).getInteger("deleted")).isEqualTo(3);
  }

  @Test
  void anEventThatCannotBeMappedIsSkippedAndRecordedAndTheRestSyncs() {
    h.runCycle();
    List<String> ids = new ArrayList<>(h.truth(cal));
    String poison = ids.get(0);
    String other = ids.get(1);
    Set<String> before = h.mirrored(cal);
    proxy.rewrite = (calendarId, page) -> {
      for (Object o : page.getJsonArray("items", new JsonArray())) {
        JsonObject e = (JsonObject) o;
        if (poison.equals(e.getString("id"))) e.put("start", new JsonObject().put("dateTime", "next tuesday"));
      }
      return page;
    };
    h.emulator.state().patchEvent(cal, poison, event(1, 2));
    h.emulator.state().patchEvent(cal, other, event(2, 2));

    h.runCycle();

    assertThat(failedJobs()).isEmpty();
    assertThat(h.mirrored(cal)).as("the other change synced, the skipped event keeps its last good version")
        .contains(poison).isNotEqualTo(before);
    assertThat(new ArrayList<>(h.mirrored(cal))).filteredOn(id -> !id.equals(poison))
        .isEqualTo(new ArrayList<>(h.truth(cal)).stream().filter(id -> !id.equals(poison)).toList());
    assertThat(h.responseData(integration).getInteger("skipped")).isEqualTo(1);
    JsonObject skipped = status().getJsonObject("skippedEvents");
    assertThat(skipped.getLong("count")).isEqualTo(1);
    JsonObject row = skipped.getJsonArray("latest").getJsonObject(0);
    assertThat(row.getString("eventId")).isEqualTo(poison);
    assertThat(row.getLong("integrationId")).isEqualTo(integration);
    assertThat(row.getString("reason")).contains("'start'");

    // a full listing keeps the skipped event's row too
    h.query("UPDATE calendars SET sync_token = NULL");
    h.runCycle();
    assertThat(failedJobs()).isEmpty();
    assertThat(h.mirrored(cal)).contains(poison);
    assertThat(h.count("SELECT count(*) FROM skipped_events")).isEqualTo(1);

    // once it maps again, it is written and no longer listed as skipped
    proxy.rewrite = null;
    h.emulator.state().patchEvent(cal, poison, event(3, 2));
    h.runCycle();
    assertThat(h.mirrored(cal)).isEqualTo(h.truth(cal));
    assertThat(h.count("SELECT count(*) FROM skipped_events")).isZero();
  }

  // ---- helpers

  private String syncToken() {
    return h.query("SELECT sync_token FROM calendars WHERE google_calendar_id = $1", cal).get(0).getString(0);
  }

  private List<String> failedJobs() {
    return h.query("SELECT error_class, error FROM failed_jobs").stream().map(r -> r.getString(0) + ": " + r.getString(1)).toList();
  }

  private JsonObject status() {
    return Cli.run(null, "status", "--json", "-c", Cli.configFile(h, new JsonObject()).toString()).json();
  }

  /** A one-hour event on day (from tomorrow) at hour (UTC). */
  private static JsonObject event(int hour, int day) {
    Instant start = Instant.now().truncatedTo(ChronoUnit.DAYS).plus(day + 1, ChronoUnit.DAYS).plus(hour % 24, ChronoUnit.HOURS);
    return new JsonObject().put("summary", "test")
        .put("start", new JsonObject().put("dateTime", start.toString()))
        .put("end", new JsonObject().put("dateTime", start.plus(1, ChronoUnit.HOURS).toString()));
  }

  private static JsonObject shifted(JsonObject time) {
    JsonObject t = time.copy();
    if (t.getString("dateTime") != null) {
      t.put("dateTime", java.time.OffsetDateTime.parse(t.getString("dateTime")).minusDays(1).toString());
    } else if (t.getString("date") != null) {
      t.put("date", java.time.LocalDate.parse(t.getString("date")).minusDays(1).toString());
    }
    return t;
  }
}
