package org.calsync.booking;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.calsync.mirror.BusyBlocks;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A full listing that comes in one page is written in one transaction with busy blocks expanded from the page: the
 * blocks equal what the general rebuild (re-reading the mirror) makes, and a full resync still sweeps what Google no
 * longer lists, its busy time with it.
 */
@ExtendWith(HarnessExtension.class)
class WholeListingTest {
  private static final String BLOCKS = "SELECT string_agg(root_id || '|' || event_id || '|' || start_at || '|' || end_at "
      + "|| '|' || coalesce(appointment_id, '-'), ',' ORDER BY root_id, event_id, start_at) FROM busy_blocks b "
      + "JOIN calendars c ON c.id = b.calendar_id WHERE c.google_calendar_id = $1";
  private BookingSupport b;

  @BeforeEach
  void setUp(Harness h) {
    b = new BookingSupport(h, new JsonObject().put("horizonDays", 70));
  }

  private String blocks() {
    return b.h.query(BLOCKS, b.cal).get(0).getString(0);
  }

  @Test
  void onePageFullSyncMakesTheBlocksOfTheGeneralRebuildAndAResyncSweeps() {
    String opaque = b.insert(b.timed(0, "09:00", "10:00"));
    b.insert(b.timed(0, "11:00", "12:00").put("transparency", "transparent"));
    b.insert(new JsonObject().put("summary", "conference")
        .put("start", new JsonObject().put("date", b.monday.plusDays(1).toString()))
        .put("end", new JsonObject().put("date", b.monday.plusDays(2).toString())));
    // five Wednesdays; week 2 moved to Thursday 14:00, week 3 cancelled
    String weekly = b.insert(b.timed(2, "09:00", "10:00").put("recurrence", new JsonArray().add("RRULE:FREQ=WEEKLY;COUNT=5")));
    b.h.emulator.state().patchEvent(b.cal, BookingSupport.instanceId(weekly, b.at(9, "09:00")), new JsonObject()
        .put("start", new JsonObject().put("dateTime", b.at(10, "14:00")))
        .put("end", new JsonObject().put("dateTime", b.at(10, "15:00"))));
    b.h.emulator.state().deleteEvent(b.cal, BookingSupport.instanceId(weekly, b.at(16, "09:00")));

    b.h.runCycle();

    JsonObject data = b.h.responseData(b.integrationId);
    assertThat(data.getBoolean("fullSync")).isTrue();
    assertThat(data.getInteger("pages")).isEqualTo(1);
    assertThat(b.h.mirrored(b.cal)).isEqualTo(b.h.truth(b.cal));
    String fromPage = blocks();
    assertThat(fromPage).contains(opaque).contains(weekly);
    assertThat(b.h.count("SELECT count(*) FROM calendars WHERE busy_until IS NULL OR busy_expanded_at IS NULL "
        + "OR sync_token IS NULL OR last_full_sync_at IS NULL")).isZero();

    // the general rebuild reads the mirror back and makes the same blocks
    long calendarId = b.h.longValue("SELECT id FROM calendars WHERE google_calendar_id = $1", b.cal);
    BusyBlocks busy = new BusyBlocks(b.h.vertx, b.h.config(new JsonObject()).booking());
    Harness.await(b.h.pool().withTransaction(conn -> busy.rebuild(conn, calendarId, BookingSupport.TORONTO, null)));
    assertThat(blocks()).isEqualTo(fromPage);

    // a full resync (sync token rejected) removes what Google no longer lists, and its busy time
    b.h.emulator.state().deleteEvent(b.cal, opaque);
    String added = b.insert(b.timed(3, "08:00", "08:30"));
    b.h.emulator.state().invalidateSyncTokens(b.cal);
    b.h.runCycle();

    assertThat(b.h.responseData(b.integrationId).getBoolean("fullSync")).isTrue();
    assertThat(b.h.mirrored(b.cal)).doesNotContain(opaque).contains(added).isEqualTo(b.h.truth(b.cal));
    String after = blocks();
    assertThat(after).doesNotContain(opaque).contains(added);
    Harness.await(b.h.pool().withTransaction(conn -> busy.rebuild(conn, calendarId, BookingSupport.TORONTO, null)));
    assertThat(blocks()).isEqualTo(after);
    assertThat(b.h.count("SELECT count(*) FROM failed_jobs")).isZero();
  }
}
