package org.calsync.token;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.calsync.App;
import org.calsync.api.ApiKeys;
import org.calsync.emulator.Consents;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The consent flow over real HTTP like a browser: the EMR asks for a link (POST /v1/connect-links), the browser opens
 * it, follows calsync's redirect to Google (the emulator), Google's redirect to the callback, and the callback's redirect
 * to the return URL; each Location is checked, and the database shows what changed (or that nothing did).
 */
@ExtendWith(HarnessExtension.class)
class ConsentFlowTest {
  private static final String PUBLIC = "https://calsync.clinic.test";
  private static final String RETURN = "https://emr.clinic.test/return";
  private static final String ALICE = "alice@clinic.test";
  private static final String BOB = "bob@clinic.test";
  private static final String CAL = "https://www.googleapis.com/auth/calendar";
  private static final String CAL_RO = "https://www.googleapis.com/auth/calendar.readonly";

  private Harness h;
  private String key;
  private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

  @BeforeEach
  void setUp(Harness harness) {
    String emu = harness.emulator.baseUrl();
    h = harness.configure(new JsonObject().put("consent", new JsonObject().put("enabled", true).put("publicBaseUrl", PUBLIC)
        .put("listenPort", 0).put("returnUrlAllowList", RETURN).put("authorizationUrl", emu + "/o/oauth2/v2/auth")
        .put("jwksUrl", emu + "/oauth2/v3/certs"))).start(new App.Parts(false, false, true));
    h.emulator.state().createUser(ALICE);
    h.emulator.state().createUser(BOB);
    key = new ApiKeys(h.pool()).create("emr", "write").await().key();
  }

  /** POST /v1/connect-links; returns the reply (status in "status"). */
  private JsonObject link(JsonObject body) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + h.app.apiPort() + "/v1/connect-links"))
        .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
    return new JsonObject(r.body()).put("status", r.statusCode());
  }

  private String newLink(long userId, Long integrationId, String hint) throws Exception {
    JsonObject body = new JsonObject().put("userId", userId).put("returnUrl", RETURN);
    if (hint != null) body.put("loginHint", hint);
    if (integrationId != null) body.put("integrationId", integrationId);
    JsonObject reply = link(body);
    assertThat(reply.getInteger("status")).as(reply.encode()).isEqualTo(201);
    assertThat(reply.getString("url")).startsWith(PUBLIC + "/connect/");
    return reply.getString("url");
  }

  /** One browser GET; calsync's public URLs are served by the consent listener (the reverse proxy's job). */
  private HttpResponse<String> get(String url) throws Exception {
    String local = url.startsWith(PUBLIC) ? "http://127.0.0.1:" + h.app.consentPort() + url.substring(PUBLIC.length()) : url;
    return http.send(HttpRequest.newBuilder(URI.create(local)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String location(HttpResponse<String> r) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(302);
    return r.headers().firstValue("Location").orElseThrow();
  }

  /** Opens the link and follows every redirect up to the return URL (not fetched); returns the Locations in order. */
  private List<String> walk(String link) throws Exception {
    List<String> hops = new ArrayList<>();
    String google = location(get(link));
    hops.add(google);
    assertThat(google).startsWith(h.emulator.baseUrl() + "/o/oauth2/v2/auth?").contains("access_type=offline",
        "prompt=consent", "include_granted_scopes=true", "code_challenge_method=S256", "code_challenge=", "state=",
        "response_type=code", "client_id=calsync-local", "redirect_uri=" + enc(PUBLIC + "/connect/callback"));
    String callback = location(get(google));
    hops.add(callback);
    assertThat(callback).startsWith(PUBLIC + "/connect/callback?");
    hops.add(location(get(callback)));
    return hops;
  }

  private static String enc(String s) {
    return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
  }

  private void answer(JsonObject a) {
    h.emulator.state().consents().answer(a.isEmpty() ? null : new Consents.Answer(a.getString("user"),
        a.getString("outcome", "approve"), a.getJsonArray("grantScopes") == null ? null
        : a.getJsonArray("grantScopes").stream().map(String::valueOf).toList(), a.getString("idTokenIssuer")));
  }

  @Test
  void anIdTokenFromEitherOfGooglesIssuersConnectsAndAForeignIssuerChangesNothing() throws Exception {
    answer(new JsonObject().put("idTokenIssuer", "https://evil.example"));
    assertThat(walk(newLink(7, null, ALICE)).get(2)).isEqualTo(RETURN + "?calsync_status=failed");
    assertThat(h.count("SELECT count(*) FROM user_integrations")).isZero();
    assertThat(h.count("SELECT count(*) FROM jobs")).isZero();
    assertThat(h.count("SELECT count(*) FROM audit_log WHERE action = 'integration.connected'")).isZero();

    answer(new JsonObject().put("idTokenIssuer", "accounts.google.com"));   // Google's short form
    String end = walk(newLink(7, null, ALICE)).get(2);
    assertThat(end).startsWith(RETURN + "?calsync_status=connected&integration_id=");
    long id = Long.parseLong(end.substring(end.lastIndexOf('=') + 1));
    assertThat(h.query("SELECT status, account_email FROM user_integrations WHERE id = $1", id).get(0).getString(1)).isEqualTo(ALICE);
    assertThat(h.query("SELECT outcome FROM connect_links ORDER BY id").stream().map(r -> r.getString(0)).toList())
        .containsExactly("failed", "connected");
  }

  @Test
  void successStoresTheGrantAuditsItQueuesATopPrioritySyncAndTheLinkAndStateWorkOnce() throws Exception {
    String link = newLink(7, null, ALICE);
    List<String> hops = walk(link);
    String end = hops.get(2);
    assertThat(end).startsWith(RETURN + "?calsync_status=connected&integration_id=");
    long id = Long.parseLong(end.substring(end.lastIndexOf('=') + 1));

    var row = h.query("SELECT user_id, status, account_email, google_sub, granted_scopes, write_back, credentials IS NOT NULL "
        + "FROM user_integrations WHERE id = $1", id).get(0);
    assertThat(row.getLong(0)).isEqualTo(7);
    assertThat(row.getString(1)).isEqualTo("active");
    assertThat(row.getString(2)).isEqualTo(ALICE);
    assertThat(row.getString(3)).matches("\\d{21}");
    assertThat(row.getString(4).split(" ")).contains(CAL, "openid");
    assertThat(row.getBoolean(5)).isTrue();
    assertThat(row.getBoolean(6)).isTrue();
    assertThat(h.count("SELECT count(*) FROM audit_log WHERE action = 'integration.connected' AND actor = 'consent' "
        + "AND integration_id = $1 AND detail::jsonb->>'scopes' LIKE '%calendar%' AND detail::jsonb->>'email' = $2", id, ALICE)).isEqualTo(1);
    assertThat(h.count("SELECT count(*) FROM jobs WHERE integration_id = $1 AND priority = 10", id)).isEqualTo(1);
    assertThat(h.count("SELECT count(*) FROM connect_links WHERE outcome = 'connected' AND verifier IS NULL")).isEqualTo(1);
    // the stored refresh token is the one Google issued, and it works
    JsonObject token = (JsonObject) h.vertx.eventBus().request(org.calsync.bus.Addresses.TOKEN_GET,
        new JsonObject().put("integrationId", id)).await().body();
    assertThat(token.getString("accessToken")).startsWith("ya29.");

    // the link works once; the callback's state works once; neither changes anything
    assertThat(location(get(link))).isEqualTo(RETURN + "?calsync_status=used");
    assertThat(location(get(hops.get(1)))).isEqualTo(RETURN + "?calsync_status=replayed");
    assertThat(h.count("SELECT count(*) FROM user_integrations")).isEqualTo(1);
    assertThat(h.count("SELECT count(*) FROM audit_log WHERE action = 'integration.connected'")).isEqualTo(1);
  }

  @Test
  void deniedConsentAndNoCalendarScopeConnectNothing() throws Exception {
    answer(new JsonObject().put("outcome", "deny"));
    assertThat(walk(newLink(7, null, ALICE)).get(2)).isEqualTo(RETURN + "?calsync_status=denied");

    answer(new JsonObject().put("grantScopes", new JsonArray()));
    assertThat(walk(newLink(7, null, ALICE)).get(2)).isEqualTo(RETURN + "?calsync_status=no_calendar_access");

    assertThat(h.count("SELECT count(*) FROM user_integrations")).isZero();
    assertThat(h.count("SELECT count(*) FROM jobs")).isZero();
    assertThat(h.query("SELECT outcome FROM connect_links ORDER BY id").stream().map(r -> r.getString(0)).toList())
        .containsExactly("denied", "no_calendar_access");
    // the unused grant was revoked at Google
    Harness.await("unused grant revoked", () -> h.emulator.state().stats().toJson().getJsonObject("requests")
        .getLong("POST oauth.revoke 200", 0L) >= 1);
  }

  @Test
  void aReadOnlyGrantConnectsWithWriteBackOffAndSaysSo() throws Exception {
    answer(new JsonObject().put("grantScopes", new JsonArray().add(CAL_RO)));
    String end = walk(newLink(8, null, BOB)).get(2);
    assertThat(end).startsWith(RETURN + "?calsync_status=read_only&integration_id=");
    long id = Long.parseLong(end.substring(end.lastIndexOf('=') + 1));
    var row = h.query("SELECT status, write_back, granted_scopes FROM user_integrations WHERE id = $1", id).get(0);
    assertThat(row.getString(0)).isEqualTo("active");
    assertThat(row.getBoolean(1)).isFalse();
    assertThat(row.getString(2).split(" ")).contains(CAL_RO).doesNotContain(CAL);

    // the API says so
    HttpResponse<String> view = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + h.app.apiPort()
        + "/v1/integrations/" + id)).header("Authorization", "Bearer " + key).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(new JsonObject(view.body()).getBoolean("writeBack")).isFalse();

    // write-back for it is refused with the reason, and nothing is stored
    h.vertx.deployVerticle(new org.calsync.booking.BookingVerticle(h.config, h.pool(), h.app.google())).await();
    var refused = org.assertj.core.api.Assertions.catchThrowableOfType(io.vertx.core.eventbus.ReplyException.class,
        () -> h.vertx.eventBus().request(org.calsync.bus.Addresses.APPOINTMENT_BOOKED, new JsonObject()
            .put("appointmentId", "A-1").put("integrationId", id).put("start", "2030-01-07T15:00:00Z")
            .put("end", "2030-01-07T15:30:00Z")).await());
    assertThat(refused.failureCode()).isEqualTo(409);
    assertThat(refused.getMessage()).contains("read-only", "reconnect link");
    assertThat(h.count("SELECT count(*) FROM appointments")).isZero();
  }

  @Test
  void anExpiredLinkEndsOnItsReturnUrlOrAPageAndChangesNothing() throws Exception {
    String link = newLink(7, null, ALICE);
    h.query("UPDATE connect_links SET expires_at = now() - interval '1 second'");
    assertThat(location(get(link))).isEqualTo(RETURN + "?calsync_status=expired");

    JsonObject bare = link(new JsonObject().put("userId", 7));
    h.query("UPDATE connect_links SET expires_at = now() - interval '1 second' WHERE id = $1", bare.getLong("linkId"));
    HttpResponse<String> page = get(bare.getString("url"));
    assertThat(page.statusCode()).isEqualTo(410);
    assertThat(page.body()).contains("Link expired", "Nothing was changed");

    HttpResponse<String> unknown = get(PUBLIC + "/connect/" + "A".repeat(43));
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(h.count("SELECT count(*) FROM user_integrations")).isZero();
    assertThat(h.count("SELECT count(*) FROM connect_links WHERE opened_at IS NOT NULL")).isZero();
    // the daily cleanup removes links a week past their expiry
    h.query("UPDATE connect_links SET expires_at = now() - interval '8 days' WHERE id = $1", bare.getLong("linkId"));
    JsonObject cleaned = new org.calsync.scheduler.SchedulerTasks(h.vertx, h.config, h.pool()).cleanup().await();
    assertThat(cleaned.getLong("connectLinksDeleted")).isEqualTo(1);
    assertThat(h.count("SELECT count(*) FROM connect_links")).isEqualTo(1);
  }

  @Test
  void aReconnectByAnotherGoogleAccountIsRefusedAndTheSameAccountReconnects() throws Exception {
    String end = walk(newLink(7, null, ALICE)).get(2);
    long id = Long.parseLong(end.substring(end.lastIndexOf('=') + 1));
    h.query("UPDATE user_integrations SET status = 'needs_reconnect' WHERE id = $1", id);
    byte[] before = h.query("SELECT credentials FROM user_integrations WHERE id = $1", id).get(0).getBuffer(0).getBytes();

    answer(new JsonObject().put("user", BOB));   // the practitioner picks another account in Google's chooser
    assertThat(walk(newLink(7, id, ALICE)).get(2)).isEqualTo(RETURN + "?calsync_status=wrong_account");
    var row = h.query("SELECT status, account_email, credentials FROM user_integrations WHERE id = $1", id).get(0);
    assertThat(row.getString(0)).isEqualTo("needs_reconnect");
    assertThat(row.getString(1)).isEqualTo(ALICE);
    assertThat(row.getBuffer(2).getBytes()).isEqualTo(before);

    answer(new JsonObject());
    assertThat(walk(newLink(7, id, ALICE)).get(2)).isEqualTo(RETURN + "?calsync_status=connected&integration_id=" + id);
    assertThat(h.query("SELECT status FROM user_integrations WHERE id = $1", id).get(0).getString(0)).isEqualTo("active");
    assertThat(h.count("SELECT count(*) FROM audit_log WHERE action = 'integration.reconnected' AND integration_id = $1", id))
        .isEqualTo(1);

    // a reconnect link only for the integration's own user; a return URL outside the allow-list is refused
    assertThat(link(new JsonObject().put("userId", 8).put("integrationId", id)).getInteger("status")).isEqualTo(404);
    JsonObject bad = link(new JsonObject().put("userId", 7).put("returnUrl", "https://evil.test/return"));
    assertThat(bad.getInteger("status")).isEqualTo(400);
    assertThat(bad.getString("detail")).contains("returnUrl");
  }

  @Test
  void aRevokedGrantsNoticeCarriesAReconnectLinkThatRestoresTheIntegration() throws Exception {
    String end = walk(newLink(7, null, ALICE)).get(2);
    long id = Long.parseLong(end.substring(end.lastIndexOf('=') + 1));
    h.emulator.state().revokeUser(ALICE);
    var failed = org.assertj.core.api.Assertions.catchThrowableOfType(io.vertx.core.eventbus.ReplyException.class,
        () -> h.vertx.eventBus().request(org.calsync.bus.Addresses.TOKEN_GET, new JsonObject().put("integrationId", id)
            .put("force", true)).await());
    assertThat(failed.failureCode()).isEqualTo(409);

    JsonObject notice = new JsonObject(h.query("SELECT payload::text FROM notices WHERE type = 'integration.status' "
        + "AND integration_id = $1 AND payload->>'status' = 'needs_reconnect'", id).get(0).getString(0));
    String reconnect = notice.getString("reconnectUrl");
    assertThat(reconnect).startsWith(PUBLIC + "/connect/");
    assertThat(notice.getString("reconnectExpiresAt")).isNotBlank();
    org.calsync.support.DocumentedFields.of("INTEGRATION_STATUS").assertMatches(notice);

    // the practitioner opens the e-mailed link: no return URL, so the flow ends on a page
    String google = location(get(reconnect));
    assertThat(google).contains("login_hint=" + enc(ALICE));
    String callback = location(get(google));
    HttpResponse<String> page = get(callback);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("Calendar connected");
    assertThat(h.query("SELECT status FROM user_integrations WHERE id = $1", id).get(0).getString(0)).isEqualTo("active");
    JsonObject token = (JsonObject) h.vertx.eventBus().request(org.calsync.bus.Addresses.TOKEN_GET,
        new JsonObject().put("integrationId", id).put("force", true)).await().body();
    assertThat(token.getString("accessToken")).startsWith("ya29.");
  }
}
