package org.calsync.emulator;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.TimeUnit;

import static io.vertx.core.http.HttpMethod.GET;
import static org.assertj.core.api.Assertions.assertThat;

/** Google behaviours reported in SPEC/ISSUES that clients must survive: 410 on old updatedMin, client mix-ups, etc. */
class EmulatorFidelityTest extends EmulatorTestSupport {
  static final String ALICE = "alice@clinic.test";
  static final String EVENTS = "calendars/primary/events";

  private HttpResponse<Buffer> listUpdatedMin(String token, Instant t) throws Exception {
    return send(api(GET, token, EVENTS + "?updatedMin=" + enc(t.truncatedTo(ChronoUnit.SECONDS).toString())));
  }

  @Test
  void updatedMinOlderThanTheWindowIsGone() throws Exception {
    String token = login(ALICE);
    Instant now = Instant.now();
    HttpResponse<Buffer> old = listUpdatedMin(token, now.minus(29, ChronoUnit.DAYS));
    assertThat(old.statusCode()).isEqualTo(410);
    assertThat(old.bodyAsJsonObject()).isEqualTo(new JsonObject("{\"error\":{\"errors\":[{\"domain\":\"calendar\","
      + "\"reason\":\"updatedMinTooLongAgo\",\"message\":\"The requested minimum modification time lies too far in the past.\","
      + "\"locationType\":\"parameter\",\"location\":\"updatedMin\"}],\"code\":410,"
      + "\"message\":\"The requested minimum modification time lies too far in the past.\"}}"));
    assertThat(listUpdatedMin(token, now.minus(27, ChronoUnit.DAYS)).statusCode()).isEqualTo(200);

    // the window is configurable through the admin API
    HttpResponse<Buffer> set = client.putAbs(emu.baseUrl() + "/admin/updated-min-window")
      .sendJsonObject(new JsonObject().put("days", 1)).await(5, TimeUnit.SECONDS);
    assertThat(set.statusCode()).isEqualTo(204);
    assertThat(listUpdatedMin(token, now.minus(2, ChronoUnit.DAYS)).statusCode()).isEqualTo(410);
    assertThat(listUpdatedMin(token, now.minus(1, ChronoUnit.HOURS)).statusCode()).isEqualTo(200);
  }
}
