package org.calsync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.calsync.App;
import org.calsync.emulator.FaultProfile;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Errors never delete mirrored data; mass deletions are refused and reported; malformed JSON fails only that job. */
@ExtendWith(HarnessExtension.class)
class SafetyRulesTest {
  private Harness h;

  @BeforeEach
  void setUp(Harness harness) {
    h = harness.configure(new JsonObject().put("sync", new JsonObject().put("maxDeleteShare", 0.5).put("maxDeleteMinimum", 3)));
    h.start(new App.Parts(true, false, false));
  }

  @Test
  void syncThatWouldDeleteMostOfACalendarIsRefusedUntilAnOperatorAllowsIt() {
    Map<String, Long> ids = h.connectSeeded(2, 20);
    h.runCycle();
    String cal = ids.keySet().stream().sorted().findFirst().orElseThrow();
    String other = ids.keySet().stream().sorted().skip(1).findFirst().orElseThrow();
    Set<String> before = h.mirrored(cal);
    List<String> all = new ArrayList<>(h.truth(cal));
    for (int i = 0; i < 15; i++) h.emulator.state().deleteEvent(cal, all.get(i));
    h.emulator.state().deleteEvent(other, h.truth(other).iterator().next());

    h.runCycle();

    assertThat(h.mirrored(cal)).as("nothing deleted").isEqualTo(before);
    var failed = h.query("SELECT integration_id, error_class, error FROM failed_jobs");
    assertThat(failed).hasSize(1);
    assertThat(failed.get(0).getLong(0)).isEqualTo(ids.get(cal));
    assertThat(failed.get(0).getString(1)).isEqualTo("MassDeletionRefused");
    assertThat(failed.get(0).getString(2)).contains("refused to delete 15 of 20");
    assertThat(h.mirrored(other)).as("small deletions go through").isEqualTo(h.truth(other));

    // The operator checked and allows it: sync <id> --allow-mass-delete.
    h.pool().preparedQuery("INSERT INTO jobs (integration_id, priority, payload) VALUES ($1, 10, $2)")
        .execute(Tuple.of(ids.get(cal), new JsonObject().put("allowMassDelete", true))).await();
    h.awaitQueueDrained(30);
    assertThat(h.mirrored(cal)).hasSize(5).isEqualTo(h.truth(cal));
  }

  @Test
  void fullResyncThatWouldDeleteMostOfACalendarWritesNothing() {
    Map<String, Long> ids = h.connectSeeded(1, 20);
    h.runCycle();
    String cal = ids.keySet().iterator().next();
    Set<String> before = h.mirrored(cal);
    String blocks = "SELECT count(*) FROM busy_blocks";
    long blocksBefore = h.count(blocks);
    List<String> all = new ArrayList<>(h.truth(cal));
    for (int i = 0; i < 15; i++) h.emulator.state().deleteEvent(cal, all.get(i));
    h.emulator.state().patchEvent(cal, all.get(19), new JsonObject().put("summary", "changed"));
    h.emulator.state().invalidateSyncTokens(cal);

    h.runCycle();

    assertThat(h.emulator.state().stats().requests("events.list 410")).isPositive();
    assertThat(h.mirrored(cal)).as("nothing deleted").isEqualTo(before);
    assertThat(h.count(blocks)).as("busy blocks kept").isEqualTo(blocksBefore);
    var failed = h.query("SELECT error_class, error FROM failed_jobs");
    assertThat(failed).hasSize(1);
    assertThat(failed.get(0).getString(0)).isEqualTo("MassDeletionRefused");
    assertThat(failed.get(0).getString(1)).contains("refused to delete 15 of 20");
  }

  @Test
  void malformedGoogleJsonFailsThatJobWithAClearErrorAndKeepsTheMirror() {
    Map<String, Long> ids = h.connectSeeded(3, 8);
    h.runCycle();
    String cal = ids.keySet().iterator().next();
    Set<String> before = h.mirrored(cal);
    h.emulator.state().deleteEvent(cal, before.iterator().next());
    h.emulator.state().setFaults(FaultProfile.none().withMalformedJson(1.0));

    h.runCycle();

    assertThat(h.mirrored(cal)).isEqualTo(before);
    var failed = h.query("SELECT error_class, error, attempts FROM failed_jobs ORDER BY integration_id");
    assertThat(failed).hasSize(3);
    assertThat(failed.get(0).getString(0)).isEqualTo("google.malformed.malformed");
    assertThat(failed.get(0).getString(1)).contains("events.list returned a malformed body");
    assertThat(failed.get(0).getInteger(2)).isEqualTo(3);
    assertThat(h.count("SELECT count(*) FROM calendars WHERE sync_token IS NULL")).as("tokens kept").isZero();

    h.emulator.state().setFaults(FaultProfile.none());
    assertThat(new org.calsync.db.JobQueue(h.pool()).retryFailed(null).await()).isEqualTo(3);
    h.awaitQueueDrained(30);
    assertThat(h.mirrored(cal)).isEqualTo(h.truth(cal));
    assertThat(h.count("SELECT count(*) FROM failed_jobs")).isZero();
  }
}
