package org.calsync.token;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.calsync.App;
import org.calsync.emulator.SeededUser;
import org.calsync.support.Cli;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** rotate-keys re-encrypts every credential under the new key while the daemon runs; the old key can then go. */
@ExtendWith(HarnessExtension.class)
class KeyRotationTest {
  private final String k1 = "k1:" + key();
  private final String k2 = "k2:" + key();
  private Harness h;
  private App daemon;

  private static String key() {
    byte[] raw = new byte[32];
    new SecureRandom().nextBytes(raw);
    return Base64.getEncoder().encodeToString(raw);
  }

  @BeforeEach
  void setUp(Harness harness) {
    h = harness;
  }

  @AfterEach
  void tearDown() throws Exception {
    if (daemon != null) daemon.close().await();
  }

  private App startDaemon(CredentialCipher cipher) {
    return App.start(h.vertx, h.config, cipher, h.runtime.registry(), new App.Parts(true, false, false)).await();
  }

  /** Seeds users and connects them sealed under the given cipher; returns refresh token by integration id. */
  private Map<Long, String> connect(CredentialCipher cipher, int users) {
    Map<Long, String> tokens = new HashMap<>();
    Connections c = new Connections(h.vertx, daemon.pool(), cipher);
    long userId = 1;
    for (SeededUser u : h.emulator.state().seed(users, 5)) tokens.put(c.connect(userId++, u.email(), u.refreshToken()).await(), u.refreshToken());
    return tokens;
  }

  private List<Row> rows() {
    return daemon.pool().query("SELECT id, key_id, credentials FROM user_integrations ORDER BY id").execute().await()
        .stream().toList();
  }

  private long keysRotatedRecords() {
    return daemon.pool().query("SELECT count(*) FROM audit_log WHERE action = 'keys.rotated'").execute().await()
        .iterator().next().getLong(0);
  }

  private void syncAll() {
    h.app = daemon;
    h.runCycle();
    assertThat(h.count("SELECT count(*) FROM user_integrations WHERE last_sync_status = 'ok' AND status = 'active'")).isEqualTo(rows().size());
    h.app = null;
  }

  @Test
  void rotationWhileTheDaemonRefreshesTokensLeavesEverythingUnderTheNewKey() {
    CredentialCipher old = CredentialCipher.parse(k1, "test");
    daemon = startDaemon(old);
    Map<Long, String> tokens = connect(old, 40);
    syncAll();
    assertThat(rows()).allSatisfy(r -> assertThat(r.getString(1)).isEqualTo("k1"));

    // Rolling restart with "k2,k1": new writes use k2, k1 rows still read.
    daemon.close().await();
    CredentialCipher both = CredentialCipher.parse(k2 + "," + k1, "test");
    daemon = startDaemon(both);
    // Make every sync refresh its token (writes under k2) while the rotation runs (batches of 3).
    h.emulator.state().expireAccessTokens();
    h.app = daemon;
    new org.calsync.scheduler.SchedulerTasks(h.vertx, h.config, daemon.pool()).dispatchCycle(null, 0, 10).await();
    KeyRotation.Result r = new KeyRotation(h.vertx, daemon.pool(), both, 3).run().await();
    h.awaitQueueDrained(60);
    h.app = null;

    assertThat(r.remaining()).isZero();
    assertThat(r.unreadable()).isZero();
    // the daemon's refreshes and the rotation race for each row: either may re-encrypt it first (all 40 may be
    // refreshed before the rotation's first batch); what matters is that none is left under k1 and each still opens
    assertThat(r.rotated()).isBetween(0L, 40L);
    List<Row> after = rows();
    assertThat(after).hasSize(40).allSatisfy(row -> {
      assertThat(row.getString(1)).isEqualTo("k2");
      JsonObject creds = both.open(row.getLong(0), "k2", row.getBuffer(2).getBytes());
      assertThat(creds.getString("refresh_token")).isEqualTo(tokens.get(row.getLong(0)));
    });

    // Old key removed: the daemon still syncs everything.
    daemon.close().await();
    daemon = startDaemon(CredentialCipher.parse(k2, "test"));
    h.emulator.state().expireAccessTokens();
    syncAll();
    Harness.await("the rotation audited", () -> keysRotatedRecords() > 0);
    assertThat(keysRotatedRecords()).isEqualTo(1);
  }

  @Test
  void rotateKeysCommandReportsCountsAndIsIdempotent() {
    CredentialCipher old = CredentialCipher.parse(k1, "test");
    daemon = startDaemon(old);
    Map<Long, String> tokens = connect(old, 12);
    syncAll();

    var config = Cli.configFile(h, new JsonObject().put("token", new JsonObject().put("keys", k2 + "," + k1)));
    Cli.Run run = Cli.run(null, "rotate-keys", "-c", config.toString(), "--batch-size", "5");
    assertThat(run.exit()).isZero();
    assertThat(run.out()).contains("active key k2: rotated 12 from [k1], unreadable 0, remaining 0");
    assertThat(Cli.run(null, "rotate-keys", "-c", config.toString()).out()).contains("rotated 0 from [], unreadable 0, remaining 0");

    CredentialCipher onlyNew = CredentialCipher.parse(k2, "test");
    for (Row row : rows()) {
      assertThat(onlyNew.open(row.getLong(0), row.getString(1), row.getBuffer(2).getBytes()).getString("refresh_token"))
          .isEqualTo(tokens.get(row.getLong(0)));
    }
    daemon.close().await();
    daemon = startDaemon(onlyNew);
    h.emulator.state().expireAccessTokens();
    syncAll();
  }

  @Test
  void rowsUnderAnUnknownKeyAreReportedAndLeftAlone() {
    CredentialCipher old = CredentialCipher.parse(k1, "test");
    daemon = startDaemon(old);
    connect(old, 3);
    var config = Cli.configFile(h, new JsonObject().put("token", new JsonObject().put("keys", k2)));
    Cli.Run run = Cli.run(null, "rotate-keys", "-c", config.toString());
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.out()).contains("unreadable 3, remaining 3");
    assertThat(rows()).allSatisfy(r -> assertThat(r.getString(1)).isEqualTo("k1"));
  }
}
