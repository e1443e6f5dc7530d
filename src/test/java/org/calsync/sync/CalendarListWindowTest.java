package org.calsync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.calsync.App;
import org.calsync.emulator.EmulatorState;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.calsync.token.Connections;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * sync.calendarListMinutes: a scheduled sync skips calendarList while the integration's calendar list was checked less
 * than that long ago (and still syncs the known calendars' events); a manual sync always checks; 0 checks every sync.
 */
@ExtendWith(HarnessExtension.class)
class CalendarListWindowTest {
  private static final String CAL = "dr.cuddy@clinic.test";
  private Harness h;
  private EmulatorState google;
  private long integrationId;

  private void start(Harness harness, int minutes) {
    h = harness;
    h.configure(new JsonObject().put("sync", new JsonObject().put("calendarListMinutes", minutes)));
    h.start(new App.Parts(true, false, false));
    google = h.emulator.state();
    google.createUser(CAL);
    integrationId = new Connections(h.vertx, h.pool(), h.cipher).connect(9, CAL, google.mintRefreshToken(CAL)).await();
    h.runScheduledCycle();
  }

  private long lists() {
    return google.stats().requests("calendarList.list");
  }

  private String insert(String calendarId, int daysAhead) {
    OffsetDateTime start = OffsetDateTime.now(ZoneOffset.UTC).plusDays(daysAhead).withNano(0);
    return google.insertEvent(calendarId, new JsonObject()
        .put("start", new JsonObject().put("dateTime", start.toString()))
        .put("end", new JsonObject().put("dateTime", start.plusHours(1).toString()))).getString("id");
  }

  @Test
  void aScheduledSyncWithinTheWindowSkipsCalendarListAndStillSyncsEvents(Harness harness) {
    start(harness, 60);
    long before = lists();
    String event = insert(CAL, 2);

    h.runScheduledCycle();

    assertThat(lists() - before).as("calendarList checked less than 60 minutes ago: not asked").isZero();
    assertThat(h.mirrored(CAL)).contains(event);
    assertThat(h.query("SELECT calendar_list_token FROM user_integrations WHERE id = $1", integrationId).get(0).getString(0))
        .as("the stored token is kept").isNotNull();
  }

  @Test
  void withZeroMinutesEverySyncChecksCalendarList(Harness harness) {
    start(harness, 0);
    long before = lists();

    h.runScheduledCycle();
    h.runScheduledCycle();

    assertThat(lists() - before).isEqualTo(2);
  }

  @Test
  void aManualSyncChecksCalendarListWithinTheWindow(Harness harness) {
    start(harness, 60);
    String extra = google.addCalendar(CAL, "Extra", null);
    String event = insert(extra, 3);
    long before = lists();

    h.runCycle();

    assertThat(lists() - before).isPositive();
    assertThat(h.mirrored(extra)).containsExactly(event);
  }

  @Test
  void aCalendarAddedInGoogleIsDiscoveredAtTheFirstScheduledSyncAfterTheWindow(Harness harness) {
    start(harness, 60);
    String extra = google.addCalendar(CAL, "Extra", null);
    String event = insert(extra, 3);

    h.runScheduledCycle();
    assertThat(h.mirrored(extra)).as("within the window the calendar list is not asked").isEmpty();

    h.query("UPDATE user_integrations SET calendars_checked_at = now() - interval '61 minutes' WHERE id = $1", integrationId);
    h.runScheduledCycle();

    assertThat(h.mirrored(extra)).containsExactly(event);
    assertThat(h.longValue("SELECT count(*) FROM user_integrations WHERE id = $1 AND calendars_checked_at > now() - interval '1 minute'",
        integrationId)).as("the check time is stored again").isEqualTo(1);
  }
}
