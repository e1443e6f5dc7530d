package org.calsync.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.sqlclient.Row;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.calsync.App;
import org.calsync.bus.Addresses;
import org.calsync.config.ConfigException;
import org.calsync.scheduler.SchedulerTasks;
import org.calsync.support.Cli;
import org.calsync.google.ServiceAccountKey;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.calsync.support.LogCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Google Workspace domain-wide delegation end to end: a service account key file, delegation authorized in the
 * emulator's admin console, integrations connected with {@code connect --delegated}, tokens minted by the token
 * verticle with signed assertions; a removed delegation behaves like invalid_grant.
 */
@ExtendWith(HarnessExtension.class)
class DelegatedIntegrationTest {
  private static final App.Parts WORKERS = new App.Parts(true, false, false);
  private static final String DR = "dr.who@clinic.test";
  private static final String DR2 = "dr.no@clinic.test";

  /** The emulator's service account: its key file on disk (owner-only) and delegation for our scope. */
  private static String keyFile(Harness h) throws Exception {
    return keyFile(h, new JsonObject());
  }

  /** As {@link #keyFile(Harness)}, with further config overrides. */
  private static String keyFile(Harness h, JsonObject overrides) throws Exception {
    JsonObject key = h.emulator.state().serviceAccounts().createKey(null, null, null, h.emulator.baseUrl() + "/token");
    h.emulator.state().serviceAccounts().authorize(key.getString("client_id"), List.of(DelegatedGrant.SCOPE));
    Path file = Files.createTempFile("calsync-sa", ".json", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    file.toFile().deleteOnExit();
    Files.writeString(file, key.encode());
    h.configure(overrides.copy().put("google", new JsonObject().put("serviceAccountKeyFile", file.toString())));
    return key.getString("client_id");
  }

  private static long connect(Harness h, long userId, String email) {
    h.emulator.state().createUser(email);
    Cli.Run run = Cli.run(null, "connect", "--delegated", "--user", String.valueOf(userId), "--email", email, "-c", config(h).toString());
    assertThat(run.exit()).as(run.out()).isZero();
    assertThat(run.out()).contains("connected delegated integration");
    return h.longValue("SELECT id FROM user_integrations WHERE account_email = $1", email);
  }

  private static Path config(Harness h) {
    return Cli.configFile(h, new JsonObject().put("token", new JsonObject().put("keys", h.keys))
        .put("google", new JsonObject().put("serviceAccountKeyFile", h.config.google().serviceAccountKeyFile())));
  }

  /** Token endpoint requests the emulator saw with this status, read over its admin API. */
  private static long tokenRequests(Harness h, int status) {
    WebClient web = WebClient.create(h.vertx);
    try {
      JsonArray all = web.getAbs(h.emulator.baseUrl() + "/admin/requests").send().await().bodyAsJsonArray();
      return all.stream().filter(o -> ((JsonObject) o).getString("key").equals("POST oauth.token " + status)).count();
    } finally {
      web.close();
    }
  }

  @Test
  void aDelegatedIntegrationSyncsAndWritesBackWithoutARefreshToken(Harness h) throws Exception {
    keyFile(h);
    h.start(WORKERS);
    long id = connect(h, 7, DR);
    for (int i = 0; i < 3; i++) {
      h.emulator.state().insertEvent(DR, new JsonObject().put("start", new JsonObject().put("dateTime", "2026-12-0" + (i + 1) + "T10:00:00Z"))
          .put("end", new JsonObject().put("dateTime", "2026-12-0" + (i + 1) + "T10:30:00Z")));
    }
    h.runCycle();
    assertThat(h.mirrored(DR)).hasSize(3).isEqualTo(h.truth(DR));
    assertThat(tokenRequests(h, 200)).as("one minted token").isEqualTo(1);

    String start = java.time.OffsetDateTime.now().plusDays(10).withNano(0).toString();
    String end = java.time.OffsetDateTime.now().plusDays(10).plusMinutes(30).withNano(0).toString();
    JsonObject reply = h.vertx.eventBus().<JsonObject>request(Addresses.APPOINTMENT_BOOKED, new JsonObject().put("appointmentId", "D-1")
        .put("integrationId", id).put("start", start).put("end", end)).await().body();
    assertThat(reply.getBoolean("written")).isTrue();
    assertThat(h.emulator.state().groundTruth(DR)).extracting(e -> e.getString("id")).contains(reply.getString("eventId"));

    Row row = h.query("SELECT auth_kind, key_id, credentials FROM user_integrations WHERE id = $1", id).get(0);
    assertThat(row.getString(0)).isEqualTo("delegated");
    JsonObject creds = h.cipher.open(id, row.getString(1), row.getBuffer(2).getBytes());
    assertThat(creds.fieldNames()).containsExactlyInAnyOrder(DelegatedGrant.SUBJECT, "access_token");
    assertThat(creds.getString(DelegatedGrant.SUBJECT)).isEqualTo(DR);
  }

  @Test
  void aKeyGoogleRefusesIsAConfigurationErrorNotAReconnect(Harness h) throws Exception {
    keyFile(h);
    // the key was deleted in the Cloud console (or replaced): same account and key id, a private key Google does not know
    Path file = Path.of(h.config.google().serviceAccountKeyFile());
    java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    String pem = "-----BEGIN PRIVATE KEY-----\n" + java.util.Base64.getMimeEncoder().encodeToString(
        g.generateKeyPair().getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
    Files.writeString(file, new JsonObject(Files.readString(file)).put("private_key", pem).encode());
    h.start(WORKERS);
    long a = connect(h, 1, DR);
    h.runCycle();

    assertThat(tokenRequests(h, 400)).as("Google answered invalid_grant 'Invalid JWT Signature.'").isPositive();
    assertThat(h.query("SELECT status FROM user_integrations WHERE id = $1", a).get(0).getString(0)).isEqualTo("active");
    assertThat(h.count("SELECT count(*) FROM notices WHERE type = 'integration.status' AND payload->>'status' = 'needs_reconnect'"))
        .isZero();
  }

  @Test
  void aRemovedDelegationNeedsReconnectOnceWithoutARetryStorm(Harness h) throws Exception {
    String clientId = keyFile(h);
    h.start(WORKERS);
    long a = connect(h, 1, DR);
    long b = connect(h, 2, DR2);
    h.runCycle();
    List<JsonObject> notices = new CopyOnWriteArrayList<>();
    h.vertx.eventBus().<JsonObject>consumer(Addresses.INTEGRATION_STATUS, m -> notices.add(m.body())).completion().await();

    // the Workspace administrator removes the client id; the tokens already issued expire
    WebClient web = WebClient.create(h.vertx);
    assertThat(web.deleteAbs(h.emulator.baseUrl() + "/admin/delegation/" + clientId).send().await().statusCode()).isEqualTo(204);
    h.emulator.state().expireAccessTokens();
    h.runCycle();
    h.runCycle();
    h.runCycle();
    Harness.await("both status changes delivered", () -> notices.size() >= 2);

    assertThat(h.count("SELECT count(*) FROM user_integrations WHERE status = 'needs_reconnect' AND status_reason = 'unauthorized_client'")).isEqualTo(2);
    assertThat(notices).extracting(n -> n.getLong("integrationId")).containsExactlyInAnyOrder(a, b);
    assertThat(tokenRequests(h, 401)).as("one refused assertion per integration, no retry storm").isEqualTo(2);
    assertThat(h.count("SELECT count(*) FROM audit_log WHERE action = 'integration.needs_reconnect'")).isEqualTo(2);
    assertThat(h.count("SELECT count(*) FROM failed_jobs")).as("not a failure to retry").isZero();
    assertThat(h.count("SELECT count(*) FROM jobs")).isZero();

    // the administrator authorizes it again; a delegated reconnect resumes syncing
    web.putAbs(h.emulator.baseUrl() + "/admin/delegation/" + clientId)
        .sendJsonObject(new JsonObject().put("scopes", DelegatedGrant.SCOPE)).await();
    web.close();
    Cli.Run run = Cli.run(null, "connect", "--delegated", "--integration-id", String.valueOf(a), "-c", config(h).toString());
    assertThat(run.exit()).as(run.out()).isZero();
    JsonObject viaBus = h.vertx.eventBus().<JsonObject>request(Addresses.INTEGRATION_RECONNECT,
        new JsonObject().put("integrationId", b).put("delegated", true)).await().body();
    assertThat(viaBus.getString("status")).isEqualTo("active");
    h.awaitQueueDrained(60);
    h.runCycle();
    assertThat(h.count("SELECT count(*) FROM user_integrations WHERE id IN ($1, $2) AND last_sync_status = 'ok' AND status = 'active' "
        + "AND auth_kind = 'delegated'", a, b)).isEqualTo(2);
  }

  @Test
  void disconnectStopsChannelsWithAFreshAssertionAndRevokesTheToken(Harness h) throws Exception {
    int port = Harness.freePort();
    keyFile(h, new JsonObject().put("push", new JsonObject().put("enabled", true).put("listenPort", port)
        .put("webhookUrl", "http://127.0.0.1:" + port + "/webhooks/google").put("checkSeconds", 1).put("debounceMs", 100)));
    h.start(new App.Parts(true, false, true));
    long id = connect(h, 4, DR);
    h.runCycle();
    Harness.await("a live channel", () -> h.count("SELECT count(*) FROM push_channels WHERE stopped_at IS NULL "
        + "AND resource_id IS NOT NULL") == 1);
    h.emulator.state().expireAccessTokens();
    h.query("UPDATE user_integrations SET access_expires_at = now() WHERE id = $1", id);
    long minted0 = tokenRequests(h, 200);

    JsonObject reply = h.vertx.eventBus().<JsonObject>request(Addresses.INTEGRATION_DISCONNECT,
        new JsonObject().put("integrationId", id)).await().body();
    assertThat(reply.getLong("channelsStopped")).isEqualTo(1);
    assertThat(reply.getString("revoke")).isEqualTo("revoked");
    assertThat(tokenRequests(h, 200) - minted0).as("one new assertion for the stop").isEqualTo(1);
    assertThat(h.emulator.state().stats().requests("POST oauth.revoke 200")).isEqualTo(1);
  }

  @Test
  void tokenHealthChecksDelegatedIntegrations(Harness h) throws Exception {
    String clientId = keyFile(h);
    h.start(WORKERS);
    long id = connect(h, 3, DR);
    SchedulerTasks tasks = new SchedulerTasks(h.vertx, h.config, h.pool());
    JsonObject healthy = tasks.tokenHealth().await();
    assertThat(healthy.getInteger("healthy")).isEqualTo(1);
    assertThat(tokenRequests(h, 200)).isEqualTo(1);

    h.emulator.state().serviceAccounts().revoke(clientId);
    JsonObject revoked = tasks.tokenHealth().await();
    assertThat(revoked.getInteger("needsReconnect")).isEqualTo(1);
    assertThat(h.query("SELECT status FROM user_integrations WHERE id = $1", id).get(0).getString(0)).isEqualTo("needs_reconnect");
  }

  @Test
  void aBadKeyFileStopsTheStartNamingTheKey(Harness h) throws Exception {
    Path missing = Path.of("/nonexistent/calsync-sa.json");
    Path notJson = Files.createTempFile("calsync-sa", ".json");
    Files.writeString(notJson, "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n");
    Path noKey = Files.createTempFile("calsync-sa", ".json");
    Files.writeString(noKey, new JsonObject().put("type", "service_account").put("client_email", "x@p.iam.gserviceaccount.com")
        .put("client_id", "1").put("private_key_id", "k").encode());
    Path badKey = Files.createTempFile("calsync-sa", ".json");
    Files.writeString(badKey, new JsonObject().put("type", "service_account").put("client_email", "x@p.iam.gserviceaccount.com")
        .put("client_id", "1").put("private_key_id", "k").put("private_key", "-----BEGIN PRIVATE KEY-----\nnot-a-key\n-----END PRIVATE KEY-----\n").encode());
    for (Path file : List.of(missing, notJson, noKey, badKey)) {
      h.configure(new JsonObject().put("google", new JsonObject().put("serviceAccountKeyFile", file.toString())));
      assertThatThrownBy(() -> h.start(WORKERS)).as(file.toString()).isInstanceOf(ConfigException.class)
          .hasMessageContaining("google.serviceAccountKeyFile");
      Cli.Run run = Cli.run(null, "connect", "--delegated", "--user", "1", "--email", DR, "-c", config(h).toString());
      assertThat(run.exit()).as(file.toString()).isNotZero();
      assertThat(run.out()).as(file.toString()).contains("google.serviceAccountKeyFile").contains(file.toString())
          .doesNotContain("MIIEvQIBADANBgkqhkiG9w0BAQEFAASC").doesNotContain("not-a-key");
    }
    h.configure(new JsonObject());
    h.start(WORKERS);
    assertThat(h.count("SELECT count(*) FROM user_integrations")).as("nothing connected").isZero();
  }

  @Test
  void aKeyFileOthersCanReadIsWarnedAbout(Harness h) throws Exception {
    keyFile(h);
    Path file = Path.of(h.config.google().serviceAccountKeyFile());
    try (LogCapture log = LogCapture.of(ServiceAccountKey.class)) {
      h.start(WORKERS);
      assertThat(log.logged("can be read by other users")).as("owner-only file").isFalse();
      h.app.close().await();
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
      h.start(WORKERS);
      assertThat(log.logged("can be read by other users")).isTrue();
    }
  }
}
