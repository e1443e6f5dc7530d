package org.calsync.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.calsync.config.DbConfig;
import org.calsync.support.Harness;
import org.calsync.support.PgProxy;
import org.calsync.support.TestDb;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A leader whose lock connection died without it noticing steps down before the next piece of singleton work, so two
 * processes never both act as leader; it takes the lock again when it is free.
 */
class LeaderLockTest {
  private static final long KEY = 0x6361_6c73_7e57L;
  private final Vertx vertx = Vertx.vertx();
  private final Context context = vertx.getOrCreateContext();
  private PgProxy proxy;

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().await();
    if (proxy != null) proxy.close();
  }

  @Test
  void aSilentlyDroppedLockConnectionIsNoticedAndLeadershipMoves() {
    String db = TestDb.freshDatabase();
    proxy = PgProxy.start(db);
    LeaderLock a = new LeaderLock(vertx, new DbConfig(proxy.url(db), null, 1), KEY, "test leader a");
    LeaderLock b = new LeaderLock(vertx, new DbConfig(db, null, 1), KEY, "test leader b");
    assertThat(ensure(a)).isTrue();
    assertThat(ensure(b)).isFalse();

    // The server ends a's session (as after a failover or an idle-session kill) and the close never reaches a.
    List<Long> pids = pids(db, "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1 "
        + "AND objid::bigint = " + (KEY & 0xFFFF_FFFFL));
    assertThat(pids).hasSize(1);
    proxy.cutSilently();
    TestDb.exec(db, "SELECT pg_terminate_backend(" + pids.get(0) + ")");
    Harness.await("b takes the free lock", () -> ensure(b));

    // Each tick asks before acting: a must not still believe it leads.
    assertThat(ensure(a)).as("a after its session ended").isFalse();
    assertThat(a.held()).isFalse();
    assertThat(ensure(b)).isTrue();

    b.close().await();
    Harness.await("a leads again on a new connection", () -> ensure(a));
    assertThat(ensure(a)).isTrue();
    a.close().await();
  }

  /** Runs ensure on the test's event loop (LeaderLock is confined to one). */
  private boolean ensure(LeaderLock lock) {
    Promise<Boolean> result = Promise.promise();
    context.runOnContext(v -> lock.ensure().onComplete(result));
    return result.future().await();
  }

  private static List<Long> pids(String db, String sql) {
    List<Long> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(TestDb.jdbc(db)); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) out.add(rs.getLong(1));
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return out;
  }
}
