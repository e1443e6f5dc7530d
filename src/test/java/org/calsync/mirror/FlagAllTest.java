package org.calsync.mirror;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.calsync.App;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Both ends of a full sync flag the integration's appointments for the EMR-wins check: the general rebuild
 * ({@link BusyBlocks#afterFull}, integration as $1) and the whole listing ({@link WholeListing}, integration as $7
 * after the busy blocks' parameters). Only the synced integration's appointments that have a Google event are flagged.
 */
@ExtendWith(HarnessExtension.class)
class FlagAllTest {
  /** Far from the integration ids, so a statement reading the calendar id as the integration flags nothing. */
  private static final long CALENDAR = 900;
  private Harness h;
  private BusyBlocks busy;
  private long a;

  @BeforeEach
  void setUp(Harness harness) {
    h = harness.start(new App.Parts(false, false, false));
    busy = new BusyBlocks(h.vertx, h.config.booking());
    List<Long> ids = h.connectSeeded(2, 0).values().stream().sorted().toList();
    a = ids.get(0);
    long b = ids.get(1);
    h.query("INSERT INTO calendars (id, integration_id, google_calendar_id) VALUES ($1, $2, 'flag-test')", CALENDAR, a);
    String appointment = "INSERT INTO appointments (id, integration_id, start_at, end_at, google_event_id) "
        + "VALUES ($1, $2, now(), now() + interval '1 hour', $3)";
    h.query(appointment, "A-written", a, "ev-a");
    h.query(appointment, "A-unwritten", a, null);
    h.query(appointment, "B-written", b, "ev-b");
  }

  private List<String> flagged() {
    return h.query("SELECT id FROM appointments WHERE needs_check ORDER BY id").stream().map(r -> r.getString(0)).toList();
  }

  @Test
  void theGeneralRebuildFlagsTheIntegrationsWrittenAppointments() {
    Harness.await(h.pool().withTransaction(conn -> busy.afterFull(conn, CALENDAR, a, "UTC")));

    assertThat(flagged()).containsExactly("A-written");
  }

  @Test
  void theWholeListingFlagsTheIntegrationsWrittenAppointments() {
    BusyBlocks.Planned planned = Harness.await(busy.plan("UTC", List.of()));
    Harness.await(h.pool().withTransaction(conn -> WholeListing.write(conn, CALENDAR, a, "token", List.of(), Map.of(), planned)));

    assertThat(flagged()).containsExactly("A-written");
    assertThat(h.count("SELECT count(*) FROM calendars WHERE id = $1 AND sync_token = 'token'", CALENDAR)).isEqualTo(1);
  }
}
