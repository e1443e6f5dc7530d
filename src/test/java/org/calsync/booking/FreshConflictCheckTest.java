package org.calsync.booking;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * fresh=true: the check waits for a sync that started after the request (read from the database, so it does not matter
 * which process runs it) and answers from the updated mirror; a sync that cannot succeed answers stale.
 */
@ExtendWith(HarnessExtension.class)
class FreshConflictCheckTest {

  private static JsonObject check(BookingSupport b, String from, String to, boolean fresh) {
    return b.request("calsync.booking.conflicts", new JsonObject().put("integrationId", b.integrationId)
        .put("start", b.at(2, from)).put("end", b.at(2, to)).put("fresh", fresh));
  }

  @Test
  void aFreshCheckSeesBusyTimeAddedInGoogleSinceTheLastSync(Harness h) {
    BookingSupport b = new BookingSupport(h, new JsonObject().put("freshTimeoutMs", 20_000));
    b.h.runCycle();
    String added = b.insert(b.timed(2, "13:00", "14:00"));

    JsonObject cached = check(b, "13:30", "13:45", false);
    assertThat(cached.getJsonArray("conflicts")).as("the mirror has not seen it yet").isEmpty();
    assertThat(cached.getBoolean("stale")).isFalse();

    JsonObject fresh = check(b, "13:30", "13:45", true);
    JsonArray conflicts = fresh.getJsonArray("conflicts");
    assertThat(conflicts).hasSize(1);
    assertThat(conflicts.getJsonObject(0).getString("eventId")).isEqualTo(added);
    assertThat(fresh.getBoolean("stale")).isFalse();
    assertThat(b.h.count("SELECT count(*) FROM jobs")).isZero();
  }

  @Test
  void aFreshCheckWhoseSyncCannotSucceedAnswersStaleFromTheMirror(Harness h) {
    BookingSupport b = new BookingSupport(h, new JsonObject().put("freshTimeoutMs", 20_000));
    b.h.runCycle();
    b.insert(b.timed(2, "13:00", "14:00"));
    b.h.emulator.state().revokeUser(b.cal);

    JsonObject fresh = check(b, "13:30", "13:45", true);
    assertThat(fresh.getBoolean("stale")).as("the sync ended in needs_reconnect").isTrue();
    assertThat(fresh.getJsonArray("conflicts")).as("answered from the mirror as it is").isEmpty();
    assertThat(b.h.query("SELECT status FROM user_integrations WHERE id = $1", b.integrationId).get(0).getString(0))
        .isEqualTo("needs_reconnect");
  }
}
