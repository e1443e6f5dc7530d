package org.calsync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.calsync.App;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Full sync then incremental syncs converge to Google's truth, over pages, for many integrations. */
@ExtendWith(HarnessExtension.class)
class SyncConvergenceTest {
  private Harness h;

  @BeforeEach
  void setUp(Harness harness) {
    h = harness.configure(new JsonObject().put("sync", new JsonObject().put("pageSize", 7)));
    h.start(new App.Parts(true, false, false));
  }

  @Test
  void fullThenIncrementalSyncsConvergeForManyIntegrations() {
    Map<String, Long> ids = h.connectSeeded(40, 25);

    h.runCycle();
    for (String cal : ids.keySet()) {
      assertThat(h.mirrored(cal)).as("mirror of %s after full sync", cal).isEqualTo(h.truth(cal)).isNotEmpty();
      JsonObject data = h.responseData(ids.get(cal));
      assertThat(data.getBoolean("fullSync")).isTrue();
      assertThat(data.getInteger("pages")).as("25 events at 7 a page").isGreaterThanOrEqualTo(4);
    }
    assertThat(h.count("SELECT count(*) FROM calendars WHERE sync_token IS NULL")).isZero();

    // Google-side edits: inserts, moves, transparency changes and deletions on several calendars.
    List<String> cals = ids.keySet().stream().sorted().toList();
    for (int i = 0; i < 10; i++) {
      String cal = cals.get(i);
      String victim = h.truth(cal).iterator().next();
      h.emulator.state().deleteEvent(cal, victim);
      h.emulator.state().insertEvent(cal, new JsonObject().put("summary", "new " + i)
          .put("start", new JsonObject().put("dateTime", "2026-12-0" + (1 + i % 9) + "T10:00:00Z"))
          .put("end", new JsonObject().put("dateTime", "2026-12-0" + (1 + i % 9) + "T11:00:00Z")));
      String moved = h.truth(cal).iterator().next();
      h.emulator.state().patchEvent(cal, moved, new JsonObject().put("transparency", "transparent"));
    }
    long mutations = h.emulator.state().mutationDriver().mutations();
    h.emulator.state().mutationDriver().start(200);
    Harness.await("Google-side changes", () -> h.emulator.state().mutationDriver().mutations() >= mutations + 50);
    h.emulator.state().mutationDriver().stop();

    h.runCycle();
    for (String cal : ids.keySet()) {
      assertThat(h.mirrored(cal)).as("mirror of %s after incremental sync", cal).isEqualTo(h.truth(cal));
      assertThat(h.responseData(ids.get(cal)).getBoolean("fullSync")).as("incremental for %s", cal).isFalse();
    }
    String first = cals.get(0);
    long transparent = h.count("SELECT count(*) FROM calendar_events e JOIN calendars c ON c.id = e.calendar_id "
        + "WHERE c.google_calendar_id = $1 AND e.transparency = 'transparent'", first);
    assertThat(transparent).isGreaterThanOrEqualTo(1);
    assertThat(h.count("SELECT count(*) FROM failed_jobs")).isZero();
    assertThat(h.count("SELECT count(*) FROM user_integrations WHERE last_sync_status = 'ok'")).isEqualTo(40);
  }

  @Test
  void invalidatedSyncTokenLeadsToFullResyncThatRemovesWhatGoogleDeleted() {
    refusedTokenLeadsToFullResync(cal -> h.emulator.state().invalidateSyncTokens(cal));
  }

  @Test
  void aSyncTokenRefusedWithAnotherReasonAlsoLeadsToAFullResync() {
    // any 410 on a listing with a sync token means: drop the token, list in full (not only fullSyncRequired)
    refusedTokenLeadsToFullResync(cal -> h.emulator.state().refuseNextEventsToken(cal, "deleted"));
  }

  private void refusedTokenLeadsToFullResync(Consumer<String> refuse) {
    Map<String, Long> ids = h.connectSeeded(3, 12);
    h.runCycle();
    String cal = ids.keySet().iterator().next();
    String gone = h.truth(cal).iterator().next();
    String tokenBefore = h.query("SELECT sync_token FROM calendars WHERE google_calendar_id = $1", cal).get(0).getString(0);

    h.emulator.state().deleteEvent(cal, gone);
    refuse.accept(cal);
    long listsBefore = h.emulator.state().stats().requests("events.list 410");
    h.runCycle();

    assertThat(h.emulator.state().stats().requests("events.list 410")).isEqualTo(listsBefore + 1);
    assertThat(h.count("SELECT count(*) FROM failed_jobs")).isZero();
    assertThat(h.responseData(ids.get(cal)).getBoolean("fullSync")).isTrue();
    assertThat(h.mirrored(cal)).doesNotContain(gone).isEqualTo(h.truth(cal));
    assertThat(h.query("SELECT sync_token FROM calendars WHERE google_calendar_id = $1", cal).get(0).getString(0))
        .isNotNull().isNotEqualTo(tokenBefore);
  }
}
