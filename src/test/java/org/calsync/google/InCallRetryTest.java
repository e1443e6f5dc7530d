package org.calsync.google;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.calsync.App;
import org.calsync.bus.Addresses;
import org.calsync.emulator.Stats;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** RetryPolicy inside one call, for sync and write-back alike, judged by the requests Google received. */
@ExtendWith(HarnessExtension.class)
class InCallRetryTest {
  private Harness h;
  private long id;
  private String email;

  @BeforeEach
  void setUp(Harness harness) {
    h = harness.start(new App.Parts(true, false, false));
    Map<String, Long> ids = h.connectSeeded(1, 3);
    email = ids.keySet().iterator().next();
    id = ids.get(email);
  }

  @Test
  void aRateLimitedCallIsRetriedNoSoonerThanRetryAfter() {
    // 3 s is longer than the policy's own first backoff (at most 2 s), so only Retry-After explains the wait.
    h.emulator.state().failNext(1, 429, "3");
    h.runCycle();

    assertThat(h.mirrored(email)).isEqualTo(h.truth(email));
    List<Stats.Request> calls = h.emulator.state().stats().recent("calendarList.list");
    assertThat(calls).extracting(Stats.Request::key).containsExactly("GET calendarList.list 429", "GET calendarList.list 200");
    assertThat(calls.get(1).receivedAtMillis() - calls.get(0).receivedAtMillis())
        .as("retry received no earlier than Retry-After after the 429").isGreaterThanOrEqualTo(3000);
  }

  @Test
  void aWriteBackAnswered503IsRetriedWithinTheRequest() {
    h.runCycle();
    h.emulator.state().failNext(1, 503, null);
    Instant start = Instant.now().plus(3, ChronoUnit.DAYS).truncatedTo(ChronoUnit.HOURS);
    JsonObject reply = h.vertx.eventBus().<JsonObject>request(Addresses.APPOINTMENT_BOOKED, new JsonObject()
        .put("appointmentId", "A-1").put("integrationId", id).put("start", start.toString())
        .put("end", start.plus(30, ChronoUnit.MINUTES).toString())).await().body();

    assertThat(reply.getBoolean("written")).as("written by the booking request itself, not left to the sweep").isTrue();
    assertThat(h.emulator.state().stats().recent("events.insert")).extracting(Stats.Request::key)
        .containsExactly("POST events.insert 503", "POST events.insert 200");
  }
}
