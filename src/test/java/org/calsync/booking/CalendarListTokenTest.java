package org.calsync.booking;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import org.calsync.emulator.EmulatorState;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * calendarList with its sync token: a sync asks Google only for the calendar list's changes (none: the calendars are
 * not listed fully); a change, a refused token or a day since the last full listing lists fully.
 */
@ExtendWith(HarnessExtension.class)
class CalendarListTokenTest {
  private static final String COLLEAGUE = "dr.wilson@clinic.test";
  private static final String LISTED_AT = "SELECT calendars_listed_at FROM user_integrations WHERE id = $1";
  private static final String TOKEN = "SELECT calendar_list_token FROM user_integrations WHERE id = $1";
  private BookingSupport b;
  private EmulatorState google;
  private String team;

  @BeforeEach
  void setUp(Harness h) {
    b = new BookingSupport(h, new JsonObject());
    google = h.emulator.state();
    google.createUser(COLLEAGUE);
    team = google.addCalendar(COLLEAGUE, "Team", null);
    google.setListEntry(b.cal, team, "reader", true);
    google.insertEvent(team, b.timed(0, "13:00", "14:00"));
    b.h.runCycle();
  }

  @Test
  void anUnchangedCalendarListIsNotListedAgain() {
    String token = b.h.query(TOKEN, b.integrationId).get(0).getString(0);
    OffsetDateTime listedAt = listedAt();
    assertThat(token).as("the first sync stores the calendarList sync token").isNotNull();
    assertThat(listedAt).isNotNull();
    long lists = google.stats().requests("calendarList.list");
    String later = b.insert(b.timed(1, "09:00", "10:00"));

    b.h.runCycle();

    assertThat(b.h.mirrored(b.cal)).contains(later);
    assertThat(google.stats().requests("calendarList.list") - lists).as("one request: the changes since the token").isEqualTo(1);
    assertThat(listedAt()).as("no full listing").isEqualTo(listedAt);
    assertThat(b.h.query(TOKEN, b.integrationId).get(0).getString(0)).isNotNull();
  }

  @Test
  void aCalendarAddedInGoogleIsDiscovered() {
    OffsetDateTime listedAt = listedAt();
    String extra = google.addCalendar(b.cal, "Extra", null);
    String event = google.insertEvent(extra, b.timed(2, "09:00", "10:00")).getString("id");

    b.h.runCycle();

    assertThat(b.h.mirrored(extra)).containsExactly(event);
    assertThat(listedAt()).as("the change led to a full listing").isAfter(listedAt);
  }

  @Test
  void aRefusedTokenLeadsToAFullListing() {
    String extra = google.addCalendar(b.cal, "Extra", null);
    String event = google.insertEvent(extra, b.timed(2, "09:00", "10:00")).getString("id");
    // a token Google no longer accepts (410 fullSyncRequired)
    b.h.query("UPDATE user_integrations SET calendar_list_token = 'CLzzzzzzzzAA' WHERE id = $1", b.integrationId);

    b.h.runCycle();

    assertThat(b.h.mirrored(extra)).containsExactly(event);
    assertThat(b.h.query(TOKEN, b.integrationId).get(0).getString(0)).isNotEqualTo("CLzzzzzzzzAA").isNotNull();
    assertThat(b.h.count("SELECT count(*) FROM failed_jobs")).isZero();
  }

  @Test
  void aTokenRefusedWithAnotherReasonAlsoLeadsToAFullListing() {
    String extra = google.addCalendar(b.cal, "Extra", null);
    String event = google.insertEvent(extra, b.timed(2, "09:00", "10:00")).getString("id");
    String stored = b.h.query(TOKEN, b.integrationId).get(0).getString(0);
    // any 410 on a listing with a sync token means: drop the token, list in full (not only fullSyncRequired)
    google.refuseNextListToken(b.cal, "deleted");

    b.h.runCycle();

    assertThat(b.h.mirrored(extra)).containsExactly(event);
    assertThat(b.h.query(TOKEN, b.integrationId).get(0).getString(0)).isNotEqualTo(stored).isNotNull();
    assertThat(b.h.count("SELECT count(*) FROM failed_jobs")).isZero();
  }

  @Test
  void theCalendarsAreListedFullyOnceADayToSeeAccessChanges() {
    // Google's calendarList sync token does not report an access role change alone
    google.setListEntry(b.cal, team, "writer", null);
    b.h.query("UPDATE user_integrations SET calendars_listed_at = now() - interval '25 hours' WHERE id = $1", b.integrationId);
    OffsetDateTime aged = listedAt();

    b.h.runCycle();

    assertThat(listedAt()).isAfter(aged);
    assertThat(b.h.count("SELECT count(*) FROM calendars WHERE google_calendar_id = $1 AND access_role = 'writer' AND busy",
        team)).as("a shared calendar the practitioner may now write, selected, counts as busy").isEqualTo(1);
    assertThat(b.h.mirrored(team)).hasSize(1);
  }

  @Test
  void aCalendarThatStopsAnsweringEventsListIsListedFullyNextTime() {
    b.request("calsync.calendars.update", new JsonObject().put("integrationId", b.integrationId).put("calendarId", team)
        .put("busy", true));
    b.h.awaitQueueDrained(60);
    assertThat(b.h.mirrored(team)).hasSize(1);
    google.setListEntry(b.cal, team, "freeBusyReader", null);

    b.h.runCycle();

    assertThat(b.h.mirrored(team)).as("403 on events.list: skipped, its mirror kept").hasSize(1);
    assertThat(b.h.query(TOKEN, b.integrationId).get(0).getString(0)).as("the next sync lists fully").isNull();

    b.h.runCycle();

    assertThat(b.h.mirrored(team)).as("listed as freeBusyReader: no longer busy").isEmpty();
  }

  private OffsetDateTime listedAt() {
    return b.h.query(LISTED_AT, b.integrationId).get(0).getOffsetDateTime(0);
  }
}
