package org.calsync.emulator;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
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

  @Test
  void refreshTokenOfAnotherClientIsUnauthorizedClient() throws Exception {
    emu.state().createUser(ALICE);
    HttpResponse<Buffer> reg = client.postAbs(emu.baseUrl() + "/admin/clients")
      .sendJsonObject(new JsonObject().put("clientId", "other-app").put("clientSecret", "other-secret")).await(5, TimeUnit.SECONDS);
    assertThat(reg.statusCode()).isEqualTo(204);
    String defaultToken = emu.state().mintRefreshToken(ALICE);
    HttpResponse<Buffer> minted = client.postAbs(emu.baseUrl() + "/admin/users/" + enc(ALICE) + "/refresh-tokens")
      .sendJsonObject(new JsonObject().put("clientId", "other-app")).await(5, TimeUnit.SECONDS);
    assertThat(minted.statusCode()).isEqualTo(200);
    String otherToken = minted.bodyAsJsonObject().getString("refreshToken");
    MultiMap asOther = MultiMap.caseInsensitiveMultiMap().add("grant_type", "refresh_token").add("client_id", "other-app")
      .add("client_secret", "other-secret");

    // default client token, presented by the other registered client
    HttpResponse<Buffer> wrong = tokenRequest(MultiMap.caseInsensitiveMultiMap().addAll(asOther).add("refresh_token", defaultToken));
    assertThat(wrong.statusCode()).isEqualTo(400);
    assertThat(wrong.bodyAsJsonObject()).isEqualTo(new JsonObject()
      .put("error", "unauthorized_client").put("error_description", "Unauthorized"));
    // and the other way round
    HttpResponse<Buffer> wrong2 = tokenRequest(refreshForm(otherToken));
    assertThat(wrong2.statusCode()).isEqualTo(400);
    assertThat(wrong2.bodyAsJsonObject().getString("error")).isEqualTo("unauthorized_client");

    // each token works with its own client; the default client is unchanged
    assertThat(tokenRequest(refreshForm(defaultToken)).statusCode()).isEqualTo(200);
    HttpResponse<Buffer> ok = tokenRequest(MultiMap.caseInsensitiveMultiMap().addAll(asOther).add("refresh_token", otherToken));
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(send(api(GET, ok.bodyAsJsonObject().getString("access_token"), EVENTS)).statusCode()).isEqualTo(200);
    // a wrong secret for the registered client is still invalid_client; unknown clients are not found
    HttpResponse<Buffer> badSecret = tokenRequest(MultiMap.caseInsensitiveMultiMap().add("grant_type", "refresh_token")
      .add("client_id", "other-app").add("client_secret", "nope").add("refresh_token", otherToken));
    assertThat(badSecret.statusCode()).isEqualTo(401);
    assertThat(badSecret.bodyAsJsonObject().getString("error")).isEqualTo("invalid_client");
    // a revoked token is invalid_grant whichever client presents it
    emu.state().revokeRefreshToken(otherToken);
    assertThat(tokenRequest(refreshForm(otherToken)).bodyAsJsonObject().getString("error")).isEqualTo("invalid_grant");
  }

  @Test
  void rateLimitIncludesTheQuotaSystemBodyDeterministically() throws Exception {
    String token = login(ALICE);
    emu.state().setFaults(FaultProfile.none().withRateLimit(1.0));
    List<String> first = new ArrayList<>();
    JsonObject quotaSystem = null;
    for (int i = 0; i < 40; i++) {
      HttpResponse<Buffer> r = send(api(GET, token, EVENTS));
      assertThat(r.statusCode()).isIn(403, 429);
      JsonObject error = r.bodyAsJsonObject().getJsonObject("error");
      first.add(r.statusCode() + " " + error.getString("status") + " " + r.getHeader("Retry-After"));
      if ("PERMISSION_DENIED".equals(error.getString("status"))) quotaSystem = r.bodyAsJsonObject();
    }
    String message = "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute per user' of service "
      + "'calendar-json.googleapis.com' for consumer 'project_number:" + GoogleErrors.PROJECT_NUMBER + "'.";
    assertThat(quotaSystem).isEqualTo(new JsonObject().put("error", new JsonObject().put("code", 403).put("message", message)
      .put("errors", new JsonArray().add(new JsonObject().put("message", message).put("domain", "usageLimits")
        .put("reason", "rateLimitExceeded"))).put("status", "PERMISSION_DENIED")));
    // every variant shows up, and the same seed gives the same sequence
    assertThat(Set.copyOf(first)).contains("403 PERMISSION_DENIED null", "403 null null", "429 null null", "403 null 1", "429 null 2");
    emu.state().setFaults(FaultProfile.none().withRateLimit(1.0));
    List<String> second = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      HttpResponse<Buffer> r = send(api(GET, token, EVENTS));
      second.add(r.statusCode() + " " + r.bodyAsJsonObject().getJsonObject("error").getString("status") + " " + r.getHeader("Retry-After"));
    }
    assertThat(second).isEqualTo(first);
  }
}
