package org.calsync.emulator;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The consent screen's answers (admin API), redirects, error pages and the granted scopes, over HTTP. */
class EmulatorConsentTest extends EmulatorTestSupport {
  private static final String CALLBACK = "https://app.clinic.test/cb";
  private static final String CAL = "https://www.googleapis.com/auth/calendar";
  private static final String CAL_RO = "https://www.googleapis.com/auth/calendar.readonly";
  private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

  private java.net.http.HttpResponse<String> authorize(String query) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(emu.baseUrl() + "/o/oauth2/v2/auth?" + query)).GET().build(),
      java.net.http.HttpResponse.BodyHandlers.ofString());
  }

  private static String query(String loginHint, String scope) {
    return "client_id=calsync-local&redirect_uri=" + enc(CALLBACK) + "&response_type=code&access_type=offline"
      + "&prompt=consent&state=s1&scope=" + enc(scope) + (loginHint == null ? "" : "&login_hint=" + enc(loginHint));
  }

  private static Map<String, String> callback(java.net.http.HttpResponse<String> r) {
    assertThat(r.statusCode()).isEqualTo(302);
    URI l = URI.create(r.headers().firstValue("Location").orElseThrow());
    assertThat(l.getScheme() + "://" + l.getHost() + l.getPath()).isEqualTo(CALLBACK);
    Map<String, String> q = new HashMap<>();
    for (String kv : l.getRawQuery().split("&")) {
      int eq = kv.indexOf('=');
      q.put(kv.substring(0, eq), URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return q;
  }

  private JsonObject exchange(String code) throws Exception {
    HttpResponse<Buffer> r = tokenRequest(MultiMap.caseInsensitiveMultiMap().add("grant_type", "authorization_code")
      .add("client_id", "calsync-local").add("client_secret", "calsync-local-secret").add("code", code)
      .add("redirect_uri", CALLBACK));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    return r.bodyAsJsonObject();
  }

  private void answer(JsonObject body) throws Exception {
    HttpResponse<Buffer> r = client.postAbs(emu.baseUrl() + "/admin/consent").sendJsonObject(body).await(10, TimeUnit.SECONDS);
    assertThat(r.statusCode()).isEqualTo(200);
  }

  @Test
  void approvesForTheHintedUserDeniesAndGrantsPartScopesAsTheAdminSays() throws Exception {
    emu.state().createUser("a@clinic.test");
    emu.state().createUser("b@clinic.test");

    Map<String, String> ok = callback(authorize(query("a@clinic.test", "openid email " + CAL)));
    assertThat(ok).containsEntry("state", "s1").containsKey("code");
    JsonObject tokens = exchange(ok.get("code"));
    assertThat(tokens.getString("scope").split(" ")).containsExactlyInAnyOrder("openid", Consents.EMAIL, CAL);
    assertThat(tokens.getString("token_type")).isEqualTo("Bearer");
    assertThat(tokens.getString("refresh_token")).startsWith("1//");
    String[] parts = tokens.getString("id_token").split("\\.");
    JsonObject claims = new JsonObject(Buffer.buffer(java.util.Base64.getUrlDecoder().decode(parts[1])));
    assertThat(claims.getString("email")).isEqualTo("a@clinic.test");
    assertThat(claims.getString("iss")).isEqualTo("https://accounts.google.com");
    // the refresh token reports the granted scopes on refresh
    assertThat(tokenRequest(refreshForm(tokens.getString("refresh_token"))).bodyAsJsonObject().getString("scope"))
      .isEqualTo(tokens.getString("scope"));

    answer(new JsonObject().put("outcome", "deny"));
    assertThat(callback(authorize(query("a@clinic.test", "openid " + CAL))))
      .containsEntry("error", "access_denied").containsEntry("state", "s1").doesNotContainKey("code");

    // granular consent: the user leaves only read-only ticked; sign-in scopes are always granted
    answer(new JsonObject().put("grantScopes", new JsonArray().add(CAL_RO)));
    Map<String, String> partial = callback(authorize(query("b@clinic.test", "openid email " + CAL + " " + CAL_RO)));
    assertThat(partial.get("scope").split(" ")).containsExactlyInAnyOrder("openid", Consents.EMAIL, CAL_RO);
    JsonObject readOnly = exchange(partial.get("code"));
    assertThat(readOnly.getString("scope").split(" ")).doesNotContain(CAL);
    // its access token lists b's events but cannot insert one (403 insufficientPermissions)
    String events = "calendars/" + enc("b@clinic.test") + "/events";
    assertThat(send(api(io.vertx.core.http.HttpMethod.GET, readOnly.getString("access_token"), events)).statusCode()).isEqualTo(200);
    HttpResponse<Buffer> insert = send(api(io.vertx.core.http.HttpMethod.POST, readOnly.getString("access_token"), events),
      timed("x", "2026-03-02T09:00:00Z", "2026-03-02T10:00:00Z"));
    assertThat(insert.statusCode()).isEqualTo(403);
    assertThat(insert.bodyAsJsonObject().getJsonObject("error").getJsonArray("errors").getJsonObject(0).getString("reason"))
      .isEqualTo("insufficientPermissions");

    // include_granted_scopes adds what the user granted this client before
    answer(new JsonObject().put("grantScopes", new JsonArray()));
    Map<String, String> incremental = callback(authorize(query("a@clinic.test", "openid") + "&include_granted_scopes=true"));
    assertThat(incremental.get("scope").split(" ")).contains(CAL, "openid");

    // the admin's user signs in whatever the hint (a practitioner choosing another account)
    answer(new JsonObject().put("user", "b@clinic.test"));
    JsonObject other = exchange(callback(authorize(query("a@clinic.test", "openid " + CAL))).get("code"));
    assertThat(new JsonObject(Buffer.buffer(java.util.Base64.getUrlDecoder().decode(other.getString("id_token").split("\\.")[1])))
      .getString("email")).isEqualTo("b@clinic.test");
    assertThat(client.getAbs(emu.baseUrl() + "/admin/consent").send().await(10, TimeUnit.SECONDS).bodyAsJsonObject()
      .getString("user")).isEqualTo("b@clinic.test");

    // the ID token's issuer in Google's short form when asked
    answer(new JsonObject().put("idTokenIssuer", "accounts.google.com"));
    JsonObject shortIss = exchange(callback(authorize(query("a@clinic.test", "openid " + CAL))).get("code"));
    assertThat(new JsonObject(Buffer.buffer(java.util.Base64.getUrlDecoder().decode(shortIss.getString("id_token").split("\\.")[1])))
      .getString("iss")).isEqualTo("accounts.google.com");
  }

  @Test
  void requestsGoogleWouldNotRedirectForGetAnErrorPageAndTheKeysArePublished() throws Exception {
    emu.state().createUser("a@clinic.test");
    var unknownClient = authorize(query("a@clinic.test", CAL).replace("client_id=calsync-local", "client_id=nope"));
    assertThat(unknownClient.statusCode()).isEqualTo(401);
    assertThat(unknownClient.body()).contains("Error 401: invalid_client");
    var noScope = authorize(query("a@clinic.test", CAL).replaceAll("&scope=[^&]*", ""));
    assertThat(noScope.statusCode()).isEqualTo(400);
    assertThat(noScope.body()).contains("Missing required parameter: scope");
    var badRedirect = authorize(query("a@clinic.test", CAL).replace(enc(CALLBACK), "not-a-uri"));
    assertThat(badRedirect.statusCode()).isEqualTo(400);
    assertThat(badRedirect.body()).contains("redirect_uri_mismatch");
    // Google shows its error page, never a redirect, for these too
    record Bad(String query, int status, String shown) {}
    String ok = query("a@clinic.test", CAL);
    for (Bad b : List.of(
        new Bad(ok.replace("client_id=calsync-local&", ""), 400, "Missing required parameter: client_id"),
        new Bad(ok.replace("redirect_uri=" + enc(CALLBACK) + "&", ""), 400, "Missing required parameter: redirect_uri"),
        new Bad(ok.replace("&response_type=code", ""), 400, "Required parameter is missing: response_type"),
        new Bad(ok.replace("response_type=code", "response_type=token"), 400, "Error 400: unsupported_response_type"),
        new Bad(query("a@clinic.test", "openid calendar"), 400, "Error 400: invalid_scope"))) {
      var r = authorize(b.query());
      assertThat(r.statusCode()).as(b.shown()).isEqualTo(b.status());
      assertThat(r.headers().firstValue("Location")).as(b.shown()).isEmpty();
      assertThat(r.body()).contains(b.shown());
    }
    assertThat(authorize(query("a@clinic.test", "openid calendar")).body()).contains("invalid=[calendar]");

    HttpResponse<Buffer> certs = client.getAbs(emu.baseUrl() + "/oauth2/v3/certs").send().await(10, TimeUnit.SECONDS);
    assertThat(certs.getHeader("Cache-Control")).contains("max-age=");
    JsonObject key = certs.bodyAsJsonObject().getJsonArray("keys").getJsonObject(0);
    assertThat(key.getString("kty")).isEqualTo("RSA");
    assertThat(key.getString("alg")).isEqualTo("RS256");
    assertThat(key.getString("kid")).isNotBlank();
  }
}
