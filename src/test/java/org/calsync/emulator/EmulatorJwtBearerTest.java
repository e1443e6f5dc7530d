package org.calsync.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.calsync.google.ServiceAccountKey;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The JWT-bearer grant on the wire: what Google answers for good, forged, expired and unauthorized assertions. */
class EmulatorJwtBearerTest extends EmulatorTestSupport {
  static final String ALICE = "alice@clinic.test";
  static final String SCOPE = TokenEndpoint.SCOPE;
  JsonObject keyFile;
  ServiceAccountKey key;

  @BeforeEach
  void serviceAccount() throws Exception {
    emu.state().createUser(ALICE);
    keyFile = admin(HttpMethod.POST, "/admin/service-accounts", new JsonObject()).bodyAsJsonObject();
    key = ServiceAccountKey.parse(keyFile, "test");
    assertThat(admin(HttpMethod.PUT, "/admin/delegation/" + key.clientId(), new JsonObject().put("scopes", new JsonArray().add(SCOPE)))
      .statusCode()).isEqualTo(204);
  }

  @Test
  void aSignedAssertionForADomainUserGetsAnAccessTokenAndNoRefreshToken() throws Exception {
    HttpResponse<Buffer> r = grant(key.assertion(ALICE, SCOPE, emu.baseUrl() + "/token", Instant.now()));
    assertThat(r.statusCode()).isEqualTo(200);
    JsonObject body = r.bodyAsJsonObject();
    assertThat(body.fieldNames()).containsExactlyInAnyOrder("access_token", "expires_in", "token_type");
    HttpResponse<Buffer> list = send(api(HttpMethod.GET, body.getString("access_token"), "calendars/primary/events"));
    assertThat(list.statusCode()).isEqualTo(200);
    // Google's own audience is accepted too (its libraries always send it)
    assertThat(grant(key.assertion(ALICE, SCOPE, ServiceAccounts.GOOGLE_TOKEN_URI, Instant.now())).statusCode()).isEqualTo(200);
    // a delegated access token can be revoked like any other
    assertThat(client.postAbs(emu.baseUrl() + "/revoke").sendForm(MultiMap.caseInsensitiveMultiMap()
      .add("token", body.getString("access_token"))).await(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(send(api(HttpMethod.GET, body.getString("access_token"), "calendars/primary/events")).statusCode()).isEqualTo(401);
  }

  @Test
  void aWrongSignatureIsInvalidGrant() throws Exception {
    JsonObject other = admin(HttpMethod.POST, "/admin/service-accounts",
      new JsonObject().put("email", "other@calsync-emulator.iam.gserviceaccount.com")).bodyAsJsonObject();
    // other's key id, this account's private key
    ServiceAccountKey forged = ServiceAccountKey.parse(keyFile.copy().put("private_key_id", other.getString("private_key_id")), "t");
    assertError(grant(forged.assertion(ALICE, SCOPE, emu.baseUrl() + "/token", Instant.now())), 400, "invalid_grant", "Invalid JWT Signature.");
    // no kid match: signed with other's key but claiming to be this account
    ServiceAccountKey impostor = ServiceAccountKey.parse(other.copy().put("client_email", key.clientEmail()), "t");
    assertError(grant(impostor.assertion(ALICE, SCOPE, emu.baseUrl() + "/token", Instant.now())), 400, "invalid_grant", "Invalid JWT Signature.");
    String good = key.assertion(ALICE, SCOPE, emu.baseUrl() + "/token", Instant.now());
    String tampered = good.substring(0, good.lastIndexOf('.')) + "." + new StringBuilder(good.substring(good.lastIndexOf('.') + 1)).reverse();
    assertError(grant(tampered), 400, "invalid_grant", "Invalid JWT Signature.");
  }

  @Test
  void anExpiredAssertionIsInvalidGrant() throws Exception {
    assertError(grant(key.assertion(ALICE, SCOPE, emu.baseUrl() + "/token", Instant.now().minusSeconds(2 * 3600))),
      400, "invalid_grant", JwtBearerGrant.BAD_TIMES);
    assertError(grant(key.assertion(ALICE, SCOPE, emu.baseUrl() + "/token", Instant.now().plusSeconds(3600))),
      400, "invalid_grant", JwtBearerGrant.BAD_TIMES);
  }

  @Test
  void delegationScopesUsersAndAudienceAreChecked() throws Exception {
    String aud = emu.baseUrl() + "/token";
    assertError(grant(key.assertion("ghost@clinic.test", SCOPE, aud, Instant.now())), 400, "invalid_grant", "Invalid email or User ID");
    assertError(grant(key.assertion(ALICE, SCOPE, "https://example.com/token", Instant.now())), 400, "invalid_grant",
      "Invalid JWT: Failed audience check.");
    assertError(grant(key.assertion(ALICE, SCOPE + " https://www.googleapis.com/auth/drive", aud, Instant.now())),
      400, "access_denied", "Requested client not authorized.");
    ServiceAccountKey unknown = ServiceAccountKey.parse(keyFile.copy().put("client_email", "nobody@x.iam.gserviceaccount.com"), "t");
    assertError(grant(unknown.assertion(ALICE, SCOPE, aud, Instant.now())), 400, "invalid_grant",
      "Invalid JWT: No valid verifier found for issuer.");

    assertThat(admin(HttpMethod.GET, "/admin/delegation", null).bodyAsJsonObject().getJsonArray(key.clientId()))
      .containsExactly(SCOPE);
    assertThat(admin(HttpMethod.DELETE, "/admin/delegation/" + key.clientId(), null).statusCode()).isEqualTo(204);
    assertError(grant(key.assertion(ALICE, SCOPE, aud, Instant.now())), 401, "unauthorized_client", JwtBearerGrant.NOT_AUTHORIZED);
    assertThat(emu.state().stats().requests("POST oauth.token 401")).isEqualTo(1);
  }

  @Test
  void aRegisteredPublicKeyVerifiesAssertions() throws Exception {
    java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    java.security.KeyPair pair = g.generateKeyPair();
    String pub = "-----BEGIN PUBLIC KEY-----\n" + java.util.Base64.getMimeEncoder().encodeToString(pair.getPublic().getEncoded())
      + "\n-----END PUBLIC KEY-----\n";
    JsonObject reg = admin(HttpMethod.POST, "/admin/service-accounts", new JsonObject()
      .put("email", "own@p.iam.gserviceaccount.com").put("clientId", "1234567890").put("publicKey", pub)).bodyAsJsonObject();
    assertThat(reg.getString("clientId")).isEqualTo("1234567890");
    emu.state().serviceAccounts().authorize("1234567890", List.of(SCOPE));
    JsonObject file = new JsonObject().put("type", "service_account").put("client_email", "own@p.iam.gserviceaccount.com")
      .put("client_id", "1234567890").put("private_key_id", reg.getString("privateKeyId")).put("private_key",
        "-----BEGIN PRIVATE KEY-----\n" + java.util.Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n");
    ServiceAccountKey own = ServiceAccountKey.parse(file, "t");
    assertThat(grant(own.assertion(ALICE, SCOPE, emu.baseUrl() + "/token", Instant.now())).statusCode()).isEqualTo(200);
  }

  private HttpResponse<Buffer> grant(String assertion) throws Exception {
    return tokenRequest(MultiMap.caseInsensitiveMultiMap().add("grant_type", JwtBearerGrant.GRANT_TYPE).add("assertion", assertion));
  }

  private HttpResponse<Buffer> admin(HttpMethod method, String path, JsonObject body) throws Exception {
    var r = client.requestAbs(method, emu.baseUrl() + path);
    return (body == null ? r.send() : r.sendJsonObject(body)).await(10, TimeUnit.SECONDS);
  }

  private static void assertError(HttpResponse<Buffer> r, int status, String error, String description) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(status);
    assertThat(r.bodyAsJsonObject()).isEqualTo(new JsonObject().put("error", error).put("error_description", description));
  }
}
