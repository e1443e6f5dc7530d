package org.calsync.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.calsync.App;
import org.calsync.emulator.SeededUser;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The convergence checks (the tests' Harness.mirrored/truth and the demo's) see times and transparency, not only ids. */
@ExtendWith(HarnessExtension.class)
class ConvergenceCheckTest {
  @Test
  void aMirrorWithStaleTimesOrTransparencyDoesNotConverge(Harness h) {
    h.start(new App.Parts(true, false, false));
    Map<String, Long> ids = h.connectSeeded(3, 6);
    h.runCycle();
    List<SeededUser> users = ids.keySet().stream().sorted().map(email -> new SeededUser(email, "")).toList();
    for (SeededUser u : users) assertThat(h.mirrored(u.email())).isEqualTo(h.truth(u.email())).isNotEmpty();
    assertThat(DemoCommand.converged(h.pool(), h.emulator, users)).isEqualTo(3);

    String moved = users.get(0).email();
    String event = h.truth(moved).iterator().next();
    h.query("UPDATE calendar_events e SET start_at = start_at - interval '1 hour' FROM calendars c "
        + "WHERE c.id = e.calendar_id AND c.google_calendar_id = $1 AND e.google_event_id = $2", moved, event);
    String flipped = users.get(1).email();
    String other = h.truth(flipped).iterator().next();
    h.query("UPDATE calendar_events e SET transparency = CASE WHEN transparency = 'opaque' THEN 'transparent' ELSE 'opaque' END "
        + "FROM calendars c WHERE c.id = e.calendar_id AND c.google_calendar_id = $1 AND e.google_event_id = $2", flipped, other);

    assertThat(h.mirrored(moved)).as("same ids").containsExactlyInAnyOrderElementsOf(h.truth(moved));
    assertThat(h.mirrored(moved)).as("a start time behind Google").isNotEqualTo(h.truth(moved));
    assertThat(h.mirrored(flipped)).as("transparency behind Google").isNotEqualTo(h.truth(flipped));
    assertThat(h.mirrored(users.get(2).email())).isEqualTo(h.truth(users.get(2).email()));
    assertThat(DemoCommand.converged(h.pool(), h.emulator, users)).isEqualTo(1);

    h.emulator.state().patchEvent(moved, event, new io.vertx.core.json.JsonObject().put("summary", "touched"));
    h.emulator.state().patchEvent(flipped, other, new io.vertx.core.json.JsonObject().put("summary", "touched"));
    h.runCycle();
    assertThat(DemoCommand.converged(h.pool(), h.emulator, users)).as("an incremental sync repairs both").isEqualTo(3);
  }
}
