package org.calsync.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.calsync.App;
import org.calsync.booking.EventIds;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.calsync.token.Connections;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every /v1 operation over real HTTP against the daemon's parts, the emulator and PostgreSQL, failures included. */
@ExtendWith(HarnessExtension.class)
class ApiTest {
  private static final String CAL = "dr.api@clinic.test";
  private Harness h;
  private ApiClient api;
  private long integrationId;
  private String readKey;
  private String writeKey;
  /** Midnight UTC two weeks ahead. */
  private final Instant day = Instant.now().truncatedTo(ChronoUnit.DAYS).plus(14, ChronoUnit.DAYS);

  @BeforeEach
  void setUp(Harness harness) {
    h = harness.configure(new JsonObject().put("booking", new JsonObject().put("sweepSeconds", 1).put("maxRangeDays", 31))
        .put("api", new JsonObject().put("bodyLimitBytes", 4096).put("keyCacheSeconds", 0))
        .put("consent", new JsonObject().put("enabled", true).put("publicBaseUrl", "https://calsync.clinic.test").put("listenPort", 0)
            .put("returnUrlAllowList", "https://emr.clinic.test/calendar/")))
        .start(new App.Parts(true, false, true));
    h.emulator.state().createUser(CAL);
    integrationId = new Connections(h.vertx, h.pool(), h.cipher).connect(7, CAL, h.emulator.state().mintRefreshToken(CAL)).await();
    ApiKeys keys = new ApiKeys(h.pool());
    readKey = keys.create("emr-read", "read").await().key();
    writeKey = keys.create("emr", "write").await().key();
    api = new ApiClient(h.vertx, h.app.apiPort());
    h.runCycle();
  }

  private String at(int hour, int minute) {
    return day.plus(hour, ChronoUnit.HOURS).plus(minute, ChronoUnit.MINUTES).toString();
  }

  private JsonObject slot(int fromHour, int toHour) {
    return new JsonObject().put("integrationId", integrationId).put("start", at(fromHour, 0)).put("end", at(toHour, 0));
  }

  @Test
  void noKeyNoAccessAndReadKeysCannotWrite() {
    assertThat(api.get("getContract", "/v1/openapi.json").json().getString("openapi")).isEqualTo("3.1.0");

    ApiClient.Answer none = api.get("listIntegrations", "/v1/integrations");
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.code()).isEqualTo("UNAUTHORIZED");
    assertThat(none.headers()).containsEntry("www-authenticate", "Bearer realm=\"calsync\"");

    api.key = writeKey.substring(0, writeKey.length() - 1) + (writeKey.endsWith("A") ? "B" : "A");
    assertThat(api.get("listIntegrations", "/v1/integrations").status()).isEqualTo(401);
    api.key = "csk_999_" + writeKey.substring(writeKey.lastIndexOf('_') + 1);
    assertThat(api.get("listIntegrations", "/v1/integrations").status()).isEqualTo(401);

    api.key = readKey;
    assertThat(api.get("listIntegrations", "/v1/integrations").status()).isEqualTo(200);
    ApiClient.Answer forbidden = api.put("putAppointment", "/v1/appointments/A-1", slot(9, 10));
    assertThat(forbidden.status()).isEqualTo(403);
    assertThat(forbidden.code()).isEqualTo("FORBIDDEN");
    assertThat(forbidden.json().getString("detail")).contains("write");
    assertThat(api.post("syncIntegration", "/v1/integrations/" + integrationId + "/sync").status()).isEqualTo(403);
    assertThat(h.count("SELECT count(*) FROM appointments")).isZero();

    // a revoked key stops working at once
    long readId = Long.parseLong(readKey.split("_")[1]);
    assertThat(new ApiKeys(h.pool()).revoke(readId).await()).isTrue();
    assertThat(api.get("listIntegrations", "/v1/integrations").status()).isEqualTo(401);

    // every refusal is audited, without the key
    Harness.await("refusals audited", () -> h.count("SELECT count(*) FROM audit_log WHERE action = 'api.refused'") == 6);
    assertThat(h.count("SELECT count(*) FROM audit_log WHERE detail LIKE '%csk_%'")).isZero();
    assertThat(h.count("SELECT count(*) FROM audit_log WHERE action = 'api.refused' AND detail LIKE '%\"reason\":\"scope\"%'")).isEqualTo(2);
  }

  @Test
  void refusalsAreAuditedAtMostAFewAMinute() {
    api.key = "csk_1_" + "x".repeat(43);
    for (int i = 0; i < ApiAudit.REFUSALS_PER_MINUTE + 15; i++) {
      assertThat(api.get("listIntegrations", "/v1/integrations").status()).isEqualTo(401);
    }
    Harness.await("refusals audited", () -> h.count("SELECT count(*) FROM audit_log WHERE action = 'api.refused'")
        == ApiAudit.REFUSALS_PER_MINUTE);
    api.key = writeKey;
    assertThat(api.get("listIntegrations", "/v1/integrations").status()).isEqualTo(200);
    assertThat(h.count("SELECT count(*) FROM audit_log WHERE action = 'api.refused'")).isEqualTo(ApiAudit.REFUSALS_PER_MINUTE);
  }

  @Test
  void appointmentsAreBookedRescheduledAndCancelledIdempotentlyWithTheirWriteState() {
    api.key = writeKey;
    ApiClient.Answer booked = api.put("putAppointment", "/v1/appointments/A-1", slot(9, 10));
    assertThat(booked.status()).isEqualTo(200);
    assertThat(booked.json().getBoolean("written")).isTrue();
    assertThat(booked.json().getString("eventId")).isEqualTo(EventIds.forAppointment("A-1"));
    assertThat(api.put("putAppointment", "/v1/appointments/A-1", slot(9, 10)).json().getLong("version"))
        .isEqualTo(booked.json().getLong("version"));

    JsonObject state = api.get("getAppointment", "/v1/appointments/A-1").json();
    assertThat(state.getString("writeState")).isEqualTo("written");
    assertThat(state.getString("status")).isEqualTo("booked");
    assertThat(Instant.parse(state.getString("start"))).isEqualTo(Instant.parse(at(9, 0)));

    ApiClient.Answer moved = api.put("putAppointment", "/v1/appointments/A-1", slot(13, 14));
    assertThat(moved.json().getLong("version")).isGreaterThan(booked.json().getLong("version"));
    assertThat(h.emulator.state().groundTruth(CAL)).hasSize(1);
    h.runCycle();
    JsonArray conflicts = api.get("checkConflicts", "/v1/conflicts?integrationId=" + integrationId + "&start="
        + at(13, 30) + "&end=" + at(15, 0) + "&appointmentId=A-2").json().getJsonArray("conflicts");
    assertThat(conflicts).hasSize(1);
    assertThat(conflicts.getJsonObject(0).getString("appointmentId")).isEqualTo("A-1");

    ApiClient.Answer cancelled = api.delete("cancelAppointment", "/v1/appointments/A-1");
    assertThat(cancelled.status()).isEqualTo(200);
    assertThat(api.delete("cancelAppointment", "/v1/appointments/A-1").json().getLong("version"))
        .isEqualTo(cancelled.json().getLong("version"));
    assertThat(api.get("getAppointment", "/v1/appointments/A-1").json().getString("status")).isEqualTo("cancelled");
    assertThat(h.emulator.state().groundTruth(CAL)).isEmpty();

    ApiClient.Answer unknown = api.delete("cancelAppointment", "/v1/appointments/NOPE");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.code()).isEqualTo("NOT_FOUND");
    assertThat(api.get("getAppointment", "/v1/appointments/NOPE").status()).isEqualTo(404);
    ApiClient.Answer otherIntegration = api.put("putAppointment", "/v1/appointments/A-9",
        slot(9, 10).put("integrationId", integrationId + 100));
    assertThat(otherIntegration.status()).isEqualTo(404);

    // every write is audited under its key
    // 4 PUTs (A-1 three times, A-9) and 3 DELETEs (A-1 twice, NOPE), refused ones included with their status
    Harness.await("writes audited", () -> h.count("SELECT count(*) FROM audit_log WHERE action = 'api.write'") == 7);
    assertThat(h.count("SELECT count(*) FROM audit_log WHERE action = 'api.write' AND actor = $1",
        "api-key:" + writeKey.split("_")[1])).isEqualTo(7);
  }

  @Test
  void aPendingWriteShowsAsFailedWithItsReason() {
    api.key = writeKey;
    h.emulator.state().setFaults(org.calsync.emulator.FaultProfile.none().withServerError(1.0));
    ApiClient.Answer booked = api.put("putAppointment", "/v1/appointments/A-5", slot(9, 10));
    assertThat(booked.status()).isEqualTo(200);
    assertThat(booked.json().getBoolean("written")).isFalse();
    JsonObject state = api.get("getAppointment", "/v1/appointments/A-5").json();
    assertThat(state.getString("writeState")).isEqualTo("failed");
    assertThat(state.getString("lastError")).isNotBlank();
    assertThat(state.getString("nextAttemptAt")).isNotNull();
  }

  @Test
  void conflictChecksAndAvailabilityAnswerFromTheMirrorWithTheirFreshness() {
    api.key = readKey;
    h.emulator.state().insertEvent(CAL, new JsonObject().put("summary", "private")
        .put("start", new JsonObject().put("dateTime", at(10, 0))).put("end", new JsonObject().put("dateTime", at(11, 0))));
    String range = "integrationId=" + integrationId + "&start=" + at(9, 0) + "&end=" + at(12, 0);

    JsonObject stale = api.get("checkConflicts", "/v1/conflicts?" + range).json();
    assertThat(stale.getJsonArray("conflicts")).isEmpty();
    JsonObject fresh = api.get("checkConflicts", "/v1/conflicts?" + range + "&fresh=true").json();
    assertThat(fresh.getJsonArray("conflicts")).hasSize(1);
    assertThat(fresh.getBoolean("stale")).isFalse();
    assertThat(fresh.getString("checkedAt")).isNotNull();

    JsonObject free = api.get("getAvailability", "/v1/availability?" + range).json();
    assertThat(free.getJsonArray("busy")).hasSize(1);
    assertThat(free.getJsonArray("free")).hasSize(2);
    assertThat(api.get("getAvailability", "/v1/availability?userId=7&start=" + at(9, 0) + "&end=" + at(12, 0))
        .json().getJsonArray("busy")).hasSize(1);

    ApiClient.Answer tooLong = api.get("checkConflicts", "/v1/conflicts?integrationId=" + integrationId + "&start="
        + at(0, 0) + "&end=" + day.plus(40, ChronoUnit.DAYS));
    assertThat(tooLong.status()).isEqualTo(400);
    assertThat(tooLong.code()).isEqualTo("BAD_REQUEST");
    assertThat(tooLong.json().getString("detail")).contains("booking.maxRangeDays");
    ApiClient.Answer missing = api.get("checkConflicts", "/v1/conflicts?integrationId=" + integrationId + "&end=" + at(12, 0));
    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.json().getString("field")).as(missing.json().encode()).isEqualTo("start");
    ApiClient.Answer wrongType = api.get("getAvailability", "/v1/availability?integrationId=abc&start=" + at(9, 0) + "&end=" + at(12, 0));
    assertThat(wrongType.status()).isEqualTo(400);
    assertThat(wrongType.json().getString("field")).as(wrongType.json().encode()).isEqualTo("integrationId");
    ApiClient.Answer notATime = api.get("getAvailability", "/v1/availability?integrationId=1&start=tomorrow&end=" + at(12, 0));
    assertThat(notATime.status()).isEqualTo(400);
    assertThat(notATime.json().getString("field")).isEqualTo("start");
    ApiClient.Answer nobody = api.get("getAvailability", "/v1/availability?integrationId=999&start=" + at(9, 0) + "&end=" + at(12, 0));
    assertThat(nobody.status()).isEqualTo(404);
    assertThat(nobody.code()).isEqualTo("NOT_FOUND");
    assertThat(api.get(null, "/v1/nothing-here").status()).isEqualTo(404);
  }

  @Test
  void availabilityTakesFreshToo() {
    api.key = readKey;
    h.emulator.state().insertEvent(CAL, new JsonObject().put("summary", "private")
        .put("start", new JsonObject().put("dateTime", at(10, 0))).put("end", new JsonObject().put("dateTime", at(11, 0))));
    String range = "integrationId=" + integrationId + "&start=" + at(9, 0) + "&end=" + at(12, 0);
    assertThat(api.get("getAvailability", "/v1/availability?" + range).json().getJsonArray("busy")).isEmpty();
    JsonObject fresh = api.get("getAvailability", "/v1/availability?" + range + "&fresh=true").json();
    assertThat(fresh.getJsonArray("busy")).hasSize(1);
    assertThat(fresh.getBoolean("stale")).isFalse();
    JsonObject calendar = fresh.getJsonArray("calendars").getJsonObject(0);
    assertThat(calendar.getLong("integrationId")).isEqualTo(integrationId);
    assertThat(Instant.parse(calendar.getString("syncedAt"))).isAfter(Instant.parse(fresh.getString("checkedAt")).minusSeconds(600));
    assertThat(calendar.getBoolean("stale")).isFalse();
  }

  @Test
  void integrationsThatNeedAReconnectAreListedByThatStatusAndCannotSync() {
    api.key = writeKey;
    h.emulator.state().revokeUser(CAL);
    assertThat(api.post("syncIntegration", "/v1/integrations/" + integrationId + "/sync").status()).isEqualTo(202);
    Harness.await("the sync found the grant revoked", () -> api.get("listIntegrations", "/v1/integrations?status=needs_reconnect")
        .json().getJsonArray("integrations").size() == 1);
    JsonObject one = api.get("getIntegration", "/v1/integrations/" + integrationId).json();
    assertThat(one.getString("status")).isEqualTo("needs_reconnect");
    assertThat(one.getString("statusReason")).isNotBlank();
    assertThat(api.get("listIntegrations", "/v1/integrations?status=active").json().getJsonArray("integrations")).isEmpty();
    ApiClient.Answer refused = api.post("syncIntegration", "/v1/integrations/" + integrationId + "/sync");
    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.code()).isEqualTo("NEEDS_RECONNECT");
  }

  @Test
  void badBodiesAreRefusedNamingTheFieldAndWriteNothing() {
    api.key = writeKey;
    ApiClient.Answer unknownField = api.put("putAppointment", "/v1/appointments/B-1", slot(9, 10).put("patientName", "x"));
    assertThat(unknownField.status()).isEqualTo(400);
    assertThat(unknownField.json().getString("field")).as(unknownField.json().encode()).isEqualTo("patientName");
    ApiClient.Answer wrongType = api.put("putAppointment", "/v1/appointments/B-1", slot(9, 10).put("integrationId", "one"));
    assertThat(wrongType.status()).isEqualTo(400);
    assertThat(wrongType.json().getString("field")).as(wrongType.json().encode()).isEqualTo("integrationId");
    JsonObject noEnd = slot(9, 10);
    noEnd.remove("end");
    ApiClient.Answer missing = api.put("putAppointment", "/v1/appointments/B-1", noEnd);
    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.json().getString("field")).as(missing.json().encode()).isEqualTo("end");
    ApiClient.Answer backwards = api.put("putAppointment", "/v1/appointments/B-1", slot(10, 9));
    assertThat(backwards.status()).isEqualTo(400);
    assertThat(backwards.code()).isEqualTo("BAD_REQUEST");

    ApiClient.Answer huge = api.put("putAppointment", "/v1/appointments/B-1", slot(9, 10).put("pad", "x".repeat(10_000)));
    assertThat(huge.status()).isEqualTo(413);
    assertThat(huge.code()).isEqualTo("PAYLOAD_TOO_LARGE");
    ApiClient.Answer text = api.put("putAppointment", "/v1/appointments/B-1",
        slot(9, 10).encode().getBytes(StandardCharsets.UTF_8), "text/plain");
    assertThat(text.status()).isEqualTo(415);
    assertThat(text.json().getString("field")).isEqualTo("body");
    byte[] latin1 = ("{\"integrationId\":" + integrationId + ",\"start\":\"" + at(9, 0) + "\",\"end\":\"" + at(10, 0)
        + "\",\"note\":\"caf\u00e9\"}").getBytes(StandardCharsets.ISO_8859_1);
    ApiClient.Answer notUtf8 = api.put("putAppointment", "/v1/appointments/B-1", latin1, "application/json");
    assertThat(notUtf8.status()).as(notUtf8.json().encode()).isEqualTo(400);
    assertThat(notUtf8.json().getString("field")).isEqualTo("body");
    ApiClient.Answer notJson = api.put("putAppointment", "/v1/appointments/B-1", "{".getBytes(StandardCharsets.UTF_8), "application/json");
    assertThat(notJson.status()).isEqualTo(400);
    ApiClient.Answer longId = api.put("putAppointment", "/v1/appointments/" + "x".repeat(300), slot(9, 10));
    assertThat(longId.status()).isEqualTo(400);
    assertThat(longId.json().getString("field")).isEqualTo("id");

    assertThat(h.count("SELECT count(*) FROM appointments")).isZero();
    assertThat(h.emulator.state().groundTruth(CAL)).isEmpty();
  }

  @Test
  void integrationsAreListedFilteredSyncedAndDisconnected() {
    api.key = readKey;
    JsonArray all = api.get("listIntegrations", "/v1/integrations").json().getJsonArray("integrations");
    assertThat(all).hasSize(1);
    JsonObject one = all.getJsonObject(0);
    assertThat(one.getLong("id")).isEqualTo(integrationId);
    assertThat(one.getString("status")).isEqualTo("active");
    assertThat(one.getString("authKind")).isEqualTo("oauth");
    assertThat(one.getString("lastSyncAt")).isNotNull();
    assertThat(one.getString("lastSyncStatus")).isEqualTo("ok");
    assertThat(api.get("listIntegrations", "/v1/integrations?status=needs_reconnect").json().getJsonArray("integrations")).isEmpty();
    assertThat(api.get("listIntegrations", "/v1/integrations?status=sleeping").status()).isEqualTo(400);
    assertThat(api.get("getIntegration", "/v1/integrations/" + integrationId).json().getLong("userId")).isEqualTo(7);
    assertThat(api.get("getIntegration", "/v1/integrations/999").status()).isEqualTo(404);
    assertThat(api.get("getIntegration", "/v1/integrations/0").status()).isEqualTo(400);
    h.query("UPDATE user_integrations SET auth_kind = 'delegated' WHERE id = $1", integrationId);
    assertThat(api.get("getIntegration", "/v1/integrations/" + integrationId).json().getString("authKind")).isEqualTo("delegated");
    h.query("UPDATE user_integrations SET auth_kind = 'oauth' WHERE id = $1", integrationId);

    api.key = writeKey;
    String before = one.getString("lastSyncAt");
    ApiClient.Answer queued = api.post("syncIntegration", "/v1/integrations/" + integrationId + "/sync");
    assertThat(queued.status()).isEqualTo(202);
    Harness.await("manual sync ran", () -> !before.equals(api.get("getIntegration", "/v1/integrations/" + integrationId)
        .json().getString("lastSyncAt")));
    assertThat(api.post("syncIntegration", "/v1/integrations/999/sync").status()).isEqualTo(404);

    ApiClient.Answer gone = api.post("disconnectIntegration", "/v1/integrations/" + integrationId + "/disconnect");
    assertThat(gone.status()).isEqualTo(200);
    assertThat(gone.json().getString("status")).isEqualTo("disconnected");
    assertThat(api.get("listIntegrations", "/v1/integrations?status=disconnected").json().getJsonArray("integrations")).hasSize(1);
    assertThat(h.count("SELECT count(*) FROM user_integrations WHERE credentials IS NOT NULL")).isZero();
    ApiClient.Answer noSync = api.post("syncIntegration", "/v1/integrations/" + integrationId + "/sync");
    assertThat(noSync.status()).isEqualTo(404);
    assertThat(api.post("disconnectIntegration", "/v1/integrations/999/disconnect").code()).isEqualTo("NOT_FOUND");
  }

  @Test
  void noticesArePulledInOrderResumedAndLongPolled() throws Exception {
    api.key = readKey;
    ApiClient.Answer all = api.get("readNotices", "/v1/notices");
    assertThat(all.status()).isEqualTo(200);
    JsonArray notices = all.json().getJsonArray("notices");
    assertThat(notices).isNotEmpty();
    JsonObject connected = notices.getJsonObject(0);
    assertThat(connected.getString("type")).isEqualTo("integration.status");
    assertThat(connected.getLong("integrationId")).isEqualTo(integrationId);
    assertThat(connected.getJsonObject("data").getString("status")).isEqualTo("active");
    long next = all.json().getLong("next");
    assertThat(next).isEqualTo(notices.getJsonObject(notices.size() - 1).getLong("id"));
    ApiClient.Answer nothing = api.get("readNotices", "/v1/notices?after=" + next);
    assertThat(nothing.json().getJsonArray("notices")).isEmpty();
    assertThat(nothing.json().getLong("next")).isEqualTo(next);

    // a long-poll answers when a change appends a notice
    java.util.concurrent.CompletableFuture<ApiClient.Answer> polled = java.util.concurrent.CompletableFuture.supplyAsync(
        () -> api.get("readNotices", "/v1/notices?after=" + next + "&wait=60"));
    api.key = writeKey;
    Harness.await("the long-poll is waiting", () -> h.runtime.registry().get("calsync_notices_long_polls").gauge().value() == 1);
    assertThat(api.post("disconnectIntegration", "/v1/integrations/" + integrationId + "/disconnect").status()).isEqualTo(200);
    ApiClient.Answer woken = polled.get(90, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(woken.status()).isEqualTo(200);
    JsonArray fresh = woken.json().getJsonArray("notices");
    assertThat(fresh).isNotEmpty();
    assertThat(fresh.getJsonObject(0).getJsonObject("data").getString("status")).isEqualTo("disconnected");
    assertThat(fresh.getJsonObject(0).getLong("id")).isGreaterThan(next);

    api.key = readKey;
    ApiClient.Answer one = api.get("readNotices", "/v1/notices?after=0&limit=1");
    assertThat(one.json().getJsonArray("notices")).hasSize(1);
    assertThat(one.json().getLong("next")).isEqualTo(connected.getLong("id"));
    for (String bad : new String[] {"after=-1", "after=abc", "wait=61", "wait=-1", "wait=x", "limit=0", "limit=501"}) {
      ApiClient.Answer refused = api.get("readNotices", "/v1/notices?" + bad);
      assertThat(refused.status()).as(bad).isEqualTo(400);
      assertThat(refused.code()).as(bad).isEqualTo("BAD_REQUEST");
      assertThat(refused.json().getString("field")).as(bad).isEqualTo(bad.substring(0, bad.indexOf('=')));
    }
  }

  @Test
  void aWriteGoogleRefusesFailsForGoodWithANoticeAndIsRetriedWhenSentAgain() {
    api.key = writeKey;
    String calendar = h.query("SELECT google_calendar_id FROM calendars WHERE integration_id = $1", integrationId)
        .get(0).getString(0);
    // the calendar is gone at Google: inserts answer 404
    h.query("UPDATE calendars SET google_calendar_id = 'gone@clinic.test' WHERE integration_id = $1", integrationId);
    ApiClient.Answer booked = api.put("putAppointment", "/v1/appointments/F-1", slot(9, 10));
    assertThat(booked.status()).isEqualTo(200);
    assertThat(booked.json().getBoolean("written")).isFalse();
    JsonObject state = api.get("getAppointment", "/v1/appointments/F-1").json();
    assertThat(state.getString("writeState")).isEqualTo("failed");
    assertThat(state.getString("gaveUpAt")).isNotNull();
    assertThat(state.getString("nextAttemptAt")).isNull();
    assertThat(state.getString("lastError")).contains("404");
    api.key = readKey;
    Harness.await("the write_failed notice", () -> api.get("readNotices", "/v1/notices").json().getJsonArray("notices")
        .stream().anyMatch(n -> "appointment.write_failed".equals(((JsonObject) n).getString("type"))
            && "F-1".equals(((JsonObject) n).getString("appointmentId"))));
    assertThat(h.count("SELECT count(*) FROM notices WHERE type = 'appointment.write_failed'")).isEqualTo(1);

    // the sweep leaves it alone; sending it again (same body) retries it
    h.query("UPDATE calendars SET google_calendar_id = $2 WHERE integration_id = $1", integrationId, calendar);
    api.key = writeKey;
    ApiClient.Answer again = api.put("putAppointment", "/v1/appointments/F-1", slot(9, 10));
    assertThat(again.json().getBoolean("written")).as(again.json().encode()).isTrue();
    assertThat(again.json().getLong("version")).isEqualTo(booked.json().getLong("version"));
    JsonObject written = api.get("getAppointment", "/v1/appointments/F-1").json();
    assertThat(written.getString("writeState")).isEqualTo("written");
    assertThat(written.getString("gaveUpAt")).isNull();
    assertThat(h.emulator.state().groundTruth(CAL)).hasSize(1);
  }

  @Test
  void connectLinksAreCreatedForAUserOrAReconnectWithAnAllowedReturnUrl() {
    api.key = readKey;
    assertThat(api.post("createConnectLink", "/v1/connect-links", new JsonObject().put("userId", 7)).status()).isEqualTo(403);

    api.key = writeKey;
    ApiClient.Answer created = api.post("createConnectLink", "/v1/connect-links", new JsonObject().put("userId", 7)
        .put("loginHint", CAL).put("returnUrl", "https://emr.clinic.test/calendar/done?p=1"));
    assertThat(created.status()).isEqualTo(201);
    assertThat(created.json().getString("url")).matches("https://calsync\\.clinic\\.test/connect/[A-Za-z0-9_-]{43}");
    ApiClient.Answer reconnect = api.post("createConnectLink", "/v1/connect-links",
        new JsonObject().put("userId", 7).put("integrationId", integrationId));
    assertThat(reconnect.status()).isEqualTo(201);
    assertThat(reconnect.json().getLong("integrationId")).isEqualTo(integrationId);

    ApiClient.Answer otherUser = api.post("createConnectLink", "/v1/connect-links",
        new JsonObject().put("userId", 8).put("integrationId", integrationId));
    assertThat(otherUser.status()).isEqualTo(404);
    ApiClient.Answer evil = api.post("createConnectLink", "/v1/connect-links",
        new JsonObject().put("userId", 7).put("returnUrl", "https://emr.clinic.test.evil.example/calendar/"));
    assertThat(evil.status()).isEqualTo(400);
    assertThat(evil.json().getString("field")).isEqualTo("returnUrl");
    assertThat(api.post("createConnectLink", "/v1/connect-links", new JsonObject().put("userId", 7).put("token", "x")).status())
        .as("unknown fields are refused").isEqualTo(400);
    assertThat(h.count("SELECT count(*) FROM connect_links")).isEqualTo(2);
    assertThat(h.count("SELECT count(*) FROM connect_links WHERE token_hash IS NOT NULL AND length(token_hash) = 32")).isEqualTo(2);
  }

  @Test
  void calendarsAreListedAndChosen() {
    String work = h.emulator.state().addCalendar(CAL, "Work", null);
    h.emulator.state().insertEvent(work, new JsonObject().put("summary", "x")
        .put("start", new JsonObject().put("dateTime", at(9, 0))).put("end", new JsonObject().put("dateTime", at(10, 0))));
    h.runCycle();
    api.key = readKey;
    String calendars = "/v1/integrations/" + integrationId + "/calendars";
    JsonArray listed = api.get("listCalendars", calendars).json().getJsonArray("calendars");
    assertThat(listed).hasSize(2);
    JsonObject primary = listed.getJsonObject(0);
    assertThat(primary.getString("calendarId")).isEqualTo(CAL);
    assertThat(primary.getBoolean("writeTarget")).isTrue();
    assertThat(listed.getJsonObject(1).getBoolean("busy")).isTrue();
    assertThat(api.get("listCalendars", "/v1/integrations/999/calendars").status()).isEqualTo(404);
    String one = calendars + "/" + java.net.URLEncoder.encode(work, StandardCharsets.UTF_8);
    assertThat(api.patch("updateCalendar", one, new JsonObject().put("busy", false)).status()).isEqualTo(403);

    api.key = writeKey;
    assertThat(api.get("checkConflicts", "/v1/conflicts?integrationId=" + integrationId + "&start=" + at(8, 0) + "&end="
        + at(11, 0)).json().getJsonArray("conflicts")).hasSize(1);
    ApiClient.Answer off = api.patch("updateCalendar", one, new JsonObject().put("busy", false));
    assertThat(off.status()).isEqualTo(200);
    assertThat(off.json().getBoolean("busy")).isFalse();
    assertThat(off.json().getValue("busyChoice")).isEqualTo(false);
    assertThat(api.get("checkConflicts", "/v1/conflicts?integrationId=" + integrationId + "&start=" + at(8, 0) + "&end="
        + at(11, 0)).json().getJsonArray("conflicts")).isEmpty();

    ApiClient.Answer target = api.patch("updateCalendar", one, new JsonObject().put("writeTarget", true));
    assertThat(target.status()).isEqualTo(200);
    assertThat(target.json().getBoolean("writeTarget")).isTrue();
    assertThat(target.json().getBoolean("busy")).as("the write target always counts").isTrue();
    assertThat(api.patch("updateCalendar", one, new JsonObject().put("busy", false)).code()).isEqualTo("BAD_REQUEST");
    assertThat(api.patch("updateCalendar", one, new JsonObject()).status()).isEqualTo(400);
    assertThat(api.patch("updateCalendar", one, new JsonObject().put("writeTarget", false)).status()).isEqualTo(400);
    assertThat(api.patch("updateCalendar", calendars + "/nope%40x.test", new JsonObject().put("busy", true)).status())
        .isEqualTo(404);
  }
}
