package org.calsync.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.calsync.App;
import org.calsync.support.Cli;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.calsync.support.TestDb;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** audit_log: append-only for the application, tampering detected by the hash chain, retention purge of old rows only. */
@ExtendWith(HarnessExtension.class)
class AuditLogTest {
  private Harness h;
  private AuditLog log;

  @BeforeEach
  void setUp(Harness harness) {
    h = harness.start(new App.Parts(false, false, false));
    log = new AuditLog(h.pool());
  }

  private void append(int n, Instant at) {
    List<AuditLog.Entry> entries = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      entries.add(new AuditLog.Entry(at.plusMillis(i), "test", "test.record", (long) i + 1, new JsonObject().put("i", i).encode()));
    }
    log.append(entries).await();
  }

  private long idAt(int index) {
    return h.longValue("SELECT id FROM audit_log ORDER BY id OFFSET $1 LIMIT 1", index);
  }

  private void tamper(String sql) {
    TestDb.exec(h.dbUrl, "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only");
    TestDb.exec(h.dbUrl, sql);
    TestDb.exec(h.dbUrl, "ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only");
  }

  @Test
  void applicationCannotUpdateOrDeleteRecords() {
    append(5, Instant.now());
    assertThatThrownBy(() -> h.query("UPDATE audit_log SET detail = '{}'")).hasMessageContaining("append-only");
    assertThatThrownBy(() -> h.query("DELETE FROM audit_log")).hasMessageContaining("append-only");
    assertThatThrownBy(() -> h.query("TRUNCATE audit_log")).hasMessageContaining("append-only");
    // The old escape hatch (a setting any session could set) is gone, and the purge setting alone opens nothing.
    Pool pool = h.pool();
    for (String guc : List.of("calsync.audit_retention", "calsync.audit_purge")) {
      assertThatThrownBy(() -> pool.withTransaction(c -> c.query("SET LOCAL " + guc + " = 'on'").execute()
          .compose(v -> c.query("DELETE FROM audit_log").execute())).await()).hasMessageContaining("append-only");
    }
    assertThat(h.count("SELECT count(*) FROM audit_log")).isEqualTo(5);
    assertThat(log.verify().await().ok()).isTrue();
  }

  @Test
  void modifiedRecordIsDetectedAndNamed() {
    append(10, Instant.now());
    assertThat(Cli.run(null, "verify-audit", "-c", Cli.configFile(h, new JsonObject()).toString()).exit()).isZero();
    long victim = idAt(4);
    tamper("UPDATE audit_log SET detail = '{\"i\":99}' WHERE id = " + victim);

    AuditLog.Verification v = log.verify().await();
    assertThat(v.ok()).isFalse();
    assertThat(v.firstBrokenId()).isEqualTo(victim);
    assertThat(v.problem()).contains("modified");
    Cli.Run run = Cli.run(null, "verify-audit", "-c", Cli.configFile(h, new JsonObject()).toString());
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.out()).contains("BROKEN at record " + victim);
  }

  @Test
  void removedRecordIsDetected() {
    append(10, Instant.now());
    long victim = idAt(6);
    long next = idAt(7);
    tamper("DELETE FROM audit_log WHERE id = " + victim);
    AuditLog.Verification v = log.verify().await();
    assertThat(v.firstBrokenId()).isEqualTo(next);
    assertThat(v.problem()).contains("removed");
  }

  @Test
  void removedOldestRecordsAreDetected() {
    append(10, Instant.now());
    long first = idAt(0);
    long third = idAt(2);
    tamper("DELETE FROM audit_log WHERE id < " + third);
    AuditLog.Verification v = log.verify().await();
    assertThat(v.ok()).as("a prefix removed without a recorded purge").isFalse();
    assertThat(v.firstBrokenId()).isEqualTo(third).isNotEqualTo(first);
  }

  @Test
  void retentionPurgesOldRecordsOnlyAndTheChainStillVerifies() {
    append(3, Instant.now().minus(400, ChronoUnit.DAYS));
    append(2, Instant.now().minus(40, ChronoUnit.DAYS));
    append(4, Instant.now());

    h.query("UPDATE audit_retention SET days = 365");
    assertThat(log.purge().await()).isEqualTo(3);
    assertThat(log.verify().await().ok()).isTrue();
    // The database keeps at least 30 days whatever the setting.
    assertThatThrownBy(() -> h.query("UPDATE audit_retention SET days = 1")).hasMessageContaining("audit_retention_days_check");
    h.query("UPDATE audit_retention SET days = 30");
    assertThat(log.purge().await()).isEqualTo(2);
    assertThat(log.purge().await()).isZero();
    assertThat(h.count("SELECT count(*) FROM audit_log WHERE action = 'test.record'")).isEqualTo(4);
    assertThat(h.count("SELECT count(*) FROM audit_log WHERE action = $1", AuditLog.PURGED)).isEqualTo(2);
    assertThat(h.query("SELECT count(*), sum(deleted) FROM audit_purges").get(0).toJson().encode()).isEqualTo("{\"count\":2,\"sum\":5}");
    AuditLog.Verification v = log.verify().await();
    assertThat(v.ok()).as(String.valueOf(v.problem())).isTrue();
    assertThat(v.checked()).isEqualTo(6);
    // The caller no longer chooses the retention.
    assertThatThrownBy(() -> h.query("SELECT deleted FROM audit_log_purge(0)")).hasMessageContaining("does not exist");
  }

  @Test
  void withSeparateOwnerAndAppRolesTheAppCannotRewriteOrBypass() throws Exception {
    String suffix = Long.toHexString(System.nanoTime());
    String owner = "calsync_owner_" + suffix;
    String appRole = "calsync_app_" + suffix;
    String db = TestDb.freshDatabase();
    String dbName = db.substring(db.lastIndexOf('/') + 1);
    String hostPort = db.substring(db.indexOf('@') + 1, db.lastIndexOf('/'));
    TestDb.exec(db, "CREATE ROLE " + owner + " LOGIN");
    TestDb.exec(db, "CREATE ROLE " + appRole + " LOGIN");
    TestDb.exec(db, "ALTER DATABASE " + dbName + " OWNER TO " + owner);
    String ownerUrl = "postgresql://" + owner + "@" + hostPort + "/" + dbName;
    String appUrl = "postgresql://" + appRole + "@" + hostPort + "/" + dbName;
    App asOwner = null;
    App asApp = null;
    // Own Vert.x instance: App pools are shared by name within one instance, and these must use other roles.
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try {
      // Migrations run as the owner; the owner grants the daemon's role what it needs.
      asOwner = App.start(vertx, h.config(new JsonObject().put("db", new JsonObject().put("url", ownerUrl))), h.cipher,
          h.runtime.registry(), new App.Parts(false, false, false)).await();
      new AuditLog(asOwner.pool()).append(List.of(new AuditLog.Entry(Instant.now().minus(90, ChronoUnit.DAYS), "test", "old", null, "{}"),
          new AuditLog.Entry(Instant.now().minus(45, ChronoUnit.DAYS), "test", "kept", null, "{}"))).await();
      asOwner.close().await();
      asOwner = null;
      TestDb.exec(ownerUrl, "SELECT calsync_grant_app('" + appRole + "')");
      TestDb.exec(ownerUrl, "UPDATE audit_retention SET days = 60");

      asApp = App.start(vertx, h.config(new JsonObject().put("db", new JsonObject().put("url", appUrl))), h.cipher,
          h.runtime.registry(), new App.Parts(false, false, false)).await();
      Pool pool = asApp.pool();
      AuditLog appLog = new AuditLog(pool);
      appLog.append(List.of(new AuditLog.Entry(Instant.now(), "test", "new", null, "{}"))).await();

      for (String sql : List.of("UPDATE audit_log SET detail = '{}'", "DELETE FROM audit_log", "TRUNCATE audit_log",
          "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only", "DROP TRIGGER audit_log_append_only ON audit_log")) {
        assertThatThrownBy(() -> pool.query(sql).execute().await()).as(sql).isInstanceOf(PgException.class)
            .satisfies(e -> assertThat(((PgException) e).getSqlState()).isEqualTo("42501"));
      }
      assertThatThrownBy(() -> pool.withTransaction(c -> c.query("SET LOCAL calsync.audit_purge = 'on'").execute()
          .compose(v -> c.query("DELETE FROM audit_log").execute())).await()).isInstanceOf(PgException.class);
      // The retention is the owner's: the app can neither change it nor pass its own to the purge.
      for (String sql : List.of("UPDATE audit_retention SET days = 30", "DELETE FROM audit_retention", "TRUNCATE audit_retention",
          "INSERT INTO audit_purges (deleted, retention_days, anchor) VALUES (0, 0, '\\x00')", "DELETE FROM audit_purges")) {
        assertThatThrownBy(() -> pool.query(sql).execute().await()).as(sql).isInstanceOf(PgException.class)
            .satisfies(e -> assertThat(((PgException) e).getSqlState()).isEqualTo("42501"));
      }
      assertThatThrownBy(() -> pool.query("SELECT * FROM audit_log_purge(0)").execute().await()).isInstanceOf(PgException.class)
          .satisfies(e -> assertThat(((PgException) e).getSqlState()).isEqualTo("42883"));
      // Only the retention function deletes, and only records past the owner's 60 days.
      assertThat(appLog.purge().await()).isEqualTo(1);
      assertThat(appLog.verify().await().ok()).isTrue();
      assertThat(pool.query("SELECT action FROM audit_log ORDER BY id").execute().await().iterator().next().getString(0))
          .isEqualTo("kept");
      assertThat(pool.query("SELECT count(*) FROM audit_log").execute().await().iterator().next().getLong(0)).isEqualTo(3);

      // Records removed behind the triggers' back (here by a superuser) stay detected even when the app appends an
      // audit.purged record naming the new first record's link as its anchor.
      TestDb.exec(db, "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only");
      TestDb.exec(db, "DELETE FROM audit_log WHERE id = (SELECT min(id) FROM audit_log)");
      TestDb.exec(db, "ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only");
      byte[] link = pool.query("SELECT prev_hash FROM audit_log ORDER BY id LIMIT 1").execute().await().iterator().next()
          .getBuffer(0).getBytes();
      appLog.append(List.of(new AuditLog.Entry(Instant.now(), "audit", AuditLog.PURGED, null,
          new JsonObject().put("deleted", 1).put("anchor", java.util.HexFormat.of().formatHex(link)).encode()))).await();
      assertThat(appLog.verify().await().ok()).as("a self-made anchor is not trusted").isFalse();
    } finally {
      if (asApp != null) asApp.close().await();
      if (asOwner != null) asOwner.close().await();
      vertx.close().await();
      String admin = h.dbUrl;
      TestDb.exec(admin, "DROP DATABASE IF EXISTS " + dbName + " WITH (FORCE)");
      TestDb.exec(admin, "DROP ROLE IF EXISTS " + appRole);
      TestDb.exec(admin, "DROP ROLE IF EXISTS " + owner);
    }
  }
}
