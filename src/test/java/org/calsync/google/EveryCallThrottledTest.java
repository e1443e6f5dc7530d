package org.calsync.google;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.calsync.App;
import org.calsync.bus.Addresses;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Sync, write-back, push channels and disconnect all reach Google through the one throttle: each kind of call shows
 * in calsync_google_calls_total, and the throttle admitted exactly the Calendar API requests Google received.
 */
@ExtendWith(HarnessExtension.class)
class EveryCallThrottledTest {
  private Harness h;

  @BeforeEach
  void setUp(Harness harness) {
    int port = Harness.freePort();
    h = harness.configure(new JsonObject().put("http", new JsonObject().put("port", port))
        .put("push", new JsonObject().put("enabled", true).put("webhookUrl", "http://127.0.0.1:" + port + "/webhooks/google")
            .put("checkSeconds", 1).put("debounceMs", 100)));
    h.start(new App.Parts(true, false, true));
  }

  @Test
  void writeBackPushAndDisconnectAreCountedByTheSameThrottleAsSync() {
    long id = h.connectSeeded(1, 3).values().iterator().next();
    h.runCycle();
    assertThat(calls("events.list")).isPositive();

    double permits = permits();
    Harness.await("a push channel opened", () -> calls("events.watch") > 0);
    assertThat(permits()).isGreaterThan(permits);

    permits = permits();
    Instant start = Instant.now().plus(3, ChronoUnit.DAYS).truncatedTo(ChronoUnit.HOURS);
    JsonObject written = h.vertx.eventBus().<JsonObject>request(Addresses.APPOINTMENT_BOOKED, new JsonObject()
        .put("appointmentId", "A-1").put("integrationId", id).put("start", start.toString())
        .put("end", start.plus(30, ChronoUnit.MINUTES).toString())).await().body();
    assertThat(written.getBoolean("written")).isTrue();
    assertThat(calls("events.insert")).isEqualTo(1);
    assertThat(permits()).isGreaterThan(permits);

    permits = permits();
    JsonObject gone = h.vertx.eventBus().<JsonObject>request(Addresses.INTEGRATION_DISCONNECT,
        new JsonObject().put("integrationId", id)).await().body();
    assertThat(gone.getLong("channelsStopped")).isEqualTo(1);
    assertThat(calls("channels.stop")).isEqualTo(1);
    assertThat(calls("oauth.revoke")).isEqualTo(1);
    assertThat(permits()).isGreaterThan(permits);

    Harness.await("every Calendar API request Google received was admitted by the throttle",
        () -> permits() == calendarRequests() && h.app.google().throttle().inFlight() == 0);
  }

  /** calsync_google_calls_total for op, any status. */
  private double calls(String op) {
    return h.runtime.registry().find("calsync.google.calls").tag("op", op).counters().stream().mapToDouble(Counter::count).sum();
  }

  private double permits() {
    FunctionCounter c = h.runtime.registry().find("calsync.google.throttle.permits").functionCounter();
    return c == null ? 0 : c.count();
  }

  /** Requests the emulator answered on the Calendar API (not OAuth, not admin). */
  private long calendarRequests() {
    long n = 0;
    for (Map.Entry<String, Long> e : h.emulator.state().stats().requests().entrySet()) {
      String op = e.getKey().split(" ")[1];
      if (!op.startsWith("oauth.") && !op.equals("admin") && !op.equals("other")) n += e.getValue();
    }
    return n;
  }
}
