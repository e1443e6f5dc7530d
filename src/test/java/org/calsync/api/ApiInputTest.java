package org.calsync.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.calsync.App;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.calsync.token.Connections;

/**
 * Bad input over real HTTP: each is answered 4xx with a problem naming the field, parameter or header to blame, and
 * nothing is written. Slow and oversized bodies are sent over a plain socket ({@link RawHttp}).
 */
@ExtendWith(HarnessExtension.class)
class ApiInputTest {
  private static final String CAL = "dr.input@clinic.test";
  private Harness h;
  private ApiClient api;
  private long integrationId;
  private String writeKey;
  private final Instant day = Instant.now().truncatedTo(ChronoUnit.DAYS).plus(14, ChronoUnit.DAYS);

  @BeforeEach
  void setUp(Harness harness) {
    h = harness.configure(new JsonObject().put("booking", new JsonObject().put("maxRangeDays", 31))
        .put("api", new JsonObject().put("bodyLimitBytes", 4096).put("bodyTimeoutSeconds", 2).put("idleTimeoutSeconds", 5)))
        .start(new App.Parts(true, false, true));
    h.emulator.state().createUser(CAL);
    integrationId = new Connections(h.vertx, h.pool(), h.cipher).connect(7, CAL, h.emulator.state().mintRefreshToken(CAL)).await();
    writeKey = new ApiKeys(h.pool()).create("emr", "write").await().key();
    api = new ApiClient(h.vertx, h.app.apiPort());
    api.key = writeKey;
  }

  private String at(int days, int hour) {
    return day.plus(days, ChronoUnit.DAYS).plus(hour, ChronoUnit.HOURS).toString();
  }

  private JsonObject slot() {
    return new JsonObject().put("integrationId", integrationId).put("start", at(0, 9)).put("end", at(0, 10));
  }

  private static void refused(ApiClient.Answer a, int status, String code, String field) {
    assertThat(a.status()).as(String.valueOf(a.json())).isEqualTo(status);
    assertThat(a.code()).as(a.json().encode()).isEqualTo(code);
    assertThat(a.json().getString("field")).as(a.json().encode()).isEqualTo(field);
    assertThat(a.json().getString("detail")).isNotBlank();
  }

  @Test
  void aLongPollLongerThanTheIdleTimeoutIsAnsweredNotCut() {
    long next = api.get("readNotices", "/v1/notices").json().getLong("next");

    ApiClient.Answer polled = api.get("readNotices", "/v1/notices?after=" + next + "&wait=60");

    assertThat(polled.status()).as("answered before api.idleTimeoutSeconds (5) closes the connection").isEqualTo(200);
    assertThat(polled.json().getJsonArray("notices")).isEmpty();
    assertThat(polled.json().getLong("next")).isEqualTo(next);
  }

  @Test
  void queryParametersThatAreUnknownRepeatedOrContradictoryAreRefusedByName() {
    String range = "integrationId=" + integrationId + "&start=" + at(0, 9) + "&end=" + at(0, 12);
    assertThat(api.get("checkConflicts", "/v1/conflicts?" + range).status()).isEqualTo(200);
    // a misspelt fresh must not quietly give an unsynced answer
    ApiClient.Answer misspelt = api.get("checkConflicts", "/v1/conflicts?" + range + "&frsh=true");
    refused(misspelt, 400, "BAD_REQUEST", "frsh");
    assertThat(misspelt.json().getString("detail")).contains("fresh");
    refused(api.get("checkConflicts", "/v1/conflicts?" + range + "&start=" + at(0, 10)), 400, "BAD_REQUEST", "start");
    refused(api.get("listIntegrations", "/v1/integrations?state=active"), 400, "BAD_REQUEST", "state");
    refused(api.get("getAvailability", "/v1/availability?" + range + "&userId=7"), 400, "BAD_REQUEST", "userId");
    refused(api.get("getAvailability", "/v1/availability?start=" + at(0, 9) + "&end=" + at(0, 12)), 400, "BAD_REQUEST",
        "integrationId");
    refused(api.get("checkConflicts", "/v1/conflicts?integrationId=" + integrationId + "&start=" + at(0, 9) + "&end=" + at(40, 0)),
        400, "BAD_REQUEST", "end");
    refused(api.get("checkConflicts", "/v1/conflicts?integrationId=" + integrationId + "&start=" + at(0, 9) + "&end=" + at(0, 8)),
        400, "BAD_REQUEST", "end");
    // within booking.maxRangeDays but past booking.maxAheadDays: calsync does not answer that far ahead
    ApiClient.Answer tooFar = api.get("checkConflicts", "/v1/conflicts?integrationId=" + integrationId + "&start="
        + at(1200, 0) + "&end=" + at(1201, 0));
    assertThat(tooFar.status()).isEqualTo(422);
    assertThat(tooFar.code()).isEqualTo("OUT_OF_RANGE");
    assertThat(tooFar.json().getString("detail")).contains("booking.maxAheadDays");
    ApiClient.Answer html = api.send("listIntegrations", api.request("/v1/integrations").header("Accept", "text/html").GET());
    refused(html, 406, "NOT_ACCEPTABLE", "Accept");
    assertThat(api.send("listIntegrations", api.request("/v1/integrations")
        .header("Accept", "text/html, application/json;q=0.5").GET()).status()).isEqualTo(200);
  }

  @Test
  void badBodiesAreRefusedNamingTheFieldAndWriteNothing() {
    JsonObject both = slot().put("userId", 7);
    refused(api.put("putAppointment", "/v1/appointments/B-1", both), 400, "BAD_REQUEST", "userId");
    JsonObject neither = slot();
    neither.remove("integrationId");
    refused(api.put("putAppointment", "/v1/appointments/B-1", neither), 400, "BAD_REQUEST", "integrationId");
    refused(api.put("putAppointment", "/v1/appointments/B-1", slot().put("integrationId", 1.5)), 400, "BAD_REQUEST", "integrationId");
    refused(api.put("putAppointment", "/v1/appointments/B-1", slot().put("start", "soon")), 400, "BAD_REQUEST", "start");
    refused(api.put("putAppointment", "/v1/appointments/B-1", slot().put("end", at(40, 0))), 400, "BAD_REQUEST", "end");
    refused(api.put("putAppointment", "/v1/appointments/B-1", new byte[0], "application/json"), 400, "BAD_REQUEST", "body");
    refused(api.put("putAppointment", "/v1/appointments/B-1", "[]".getBytes(StandardCharsets.UTF_8), "application/json"),
        400, "BAD_REQUEST", "body");
    byte[] latin1 = slot().encode().replace("Z\"}", "Z\u00e9\"}").getBytes(StandardCharsets.ISO_8859_1);
    ApiClient.Answer notUtf8 = api.put("putAppointment", "/v1/appointments/B-1", latin1, "application/json");
    refused(notUtf8, 400, "BAD_REQUEST", "body");
    assertThat(notUtf8.json().getString("detail")).contains("UTF-8");
    byte[] plain = slot().encode().getBytes(StandardCharsets.ISO_8859_1);
    refused(api.put("putAppointment", "/v1/appointments/B-1", plain, "application/json; charset=ISO-8859-1"),
        415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type");
    refused(api.put("putAppointment", "/v1/appointments/B-1", plain, "application/x-www-form-urlencoded"),
        415, "UNSUPPORTED_MEDIA_TYPE", "body");
    // chunked, no Content-Length: the limit holds while the body streams in
    byte[] big = slot().put("pad", "x".repeat(100_000)).encode().getBytes(StandardCharsets.UTF_8);
    refused(api.send("putAppointment", api.request("/v1/appointments/B-1").header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofByteArray(big)))), 413, "PAYLOAD_TOO_LARGE", "body");

    assertThat(api.put("putAppointment", "/v1/appointments/B-1", slot().encode().getBytes(StandardCharsets.UTF_8),
        "application/json; charset=utf-8").status()).isEqualTo(200);
    assertThat(h.count("SELECT count(*) FROM appointments")).isEqualTo(1);
    assertThat(h.count("SELECT count(*) FROM appointments WHERE start_at = $1", java.time.OffsetDateTime.parse(at(0, 9)))).isEqualTo(1);
  }

  @Test
  void aBodyThatTricklesOrIsTooLargeByItsLengthIsRefusedWhileOthersAreServed() throws Exception {
    byte[] json = slot().encode().getBytes(StandardCharsets.UTF_8);
    String[] headers = {"Authorization: Bearer " + writeKey, "Content-Type: application/json",
        "Content-Length: " + (4000 + json.length)};
    AtomicBoolean stop = new AtomicBoolean();
    try (RawHttp slow = new RawHttp(h.app.apiPort())) {
      slow.head("PUT /v1/appointments/S-1 HTTP/1.1", headers);
      // leading whitespace, one byte every 100 ms: the body would take over 400 s to arrive
      Thread trickle = new Thread(() -> {
        try {
          for (int i = 0; i < 4000 && !stop.get(); i++) {
            slow.write(new byte[] {' '});
            Thread.sleep(100);
          }
        } catch (Exception closed) {
          // the server closed the connection
        }
      });
      trickle.start();
      // the event loop is not held: other clients are served meanwhile
      assertThat(api.get("listIntegrations", "/v1/integrations").status()).isEqualTo(200);
      assertThat(api.put("putAppointment", "/v1/appointments/S-2", slot()).status()).isEqualTo(200);

      RawHttp.Answer answer = slow.answer();
      stop.set(true);
      trickle.join();
      assertThat(answer.status()).as(answer.head()).isEqualTo(408);
      api.checkProblem(408, "application/problem+json", answer.json());
      assertThat(answer.json().getString("code")).isEqualTo("REQUEST_TIMEOUT");
      assertThat(answer.json().getString("field")).isEqualTo("body");
      assertThat(slow.closedByServer()).isTrue();
    }

    // a Content-Length over the limit is refused at once, without waiting for (or reading) the body
    try (RawHttp liar = new RawHttp(h.app.apiPort())) {
      RawHttp.Answer answer = liar.head("PUT /v1/appointments/S-3 HTTP/1.1", "Authorization: Bearer " + writeKey,
          "Content-Type: application/json", "Content-Length: 1000000000").answer();
      assertThat(answer.status()).as(answer.head()).isEqualTo(413);
      api.checkProblem(413, "application/problem+json", answer.json());
      assertThat(answer.json().getString("field")).isEqualTo("body");
    }
    assertThat(h.count("SELECT count(*) FROM appointments WHERE id IN ('S-1', 'S-3')")).isZero();
    assertThat(h.count("SELECT count(*) FROM appointments WHERE id = 'S-2'")).isEqualTo(1);
  }
}
