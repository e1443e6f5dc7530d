package org.calsync.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import org.calsync.config.DbConfig;
import org.calsync.support.TestDb;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A request waits for a pooled connection as long as it takes: the pool has no acquisition timeout (in
 * vertx-sql-client 5.0.7 one that fires as a connection is handed over loses that connection for good; see
 * {@link Db#poolOptions}).
 */
class PoolWaitTest {
  /** Vert.x's default acquisition timeout (PoolOptions.DEFAULT_CONNECTION_TIMEOUT, 30 s), and a margin. */
  private static final long BEYOND_DEFAULT_TIMEOUT_MS = 31_000;
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void tearDown() {
    vertx.close().await();
  }

  @Test
  void aQueuedRequestOutwaitsTheDefaultAcquisitionTimeoutAndThenRuns() {
    Pool pool = Db.pool(vertx, new DbConfig(TestDb.freshDatabase(), null, 1));
    SqlConnection held = pool.getConnection().await();
    Future<RowSet<Row>> queued = pool.query("SELECT 42").execute();

    vertx.timer(BEYOND_DEFAULT_TIMEOUT_MS).await();
    assertThat(queued.isComplete()).as("still waiting for the only connection").isFalse();

    held.close().await();
    assertThat(queued.await().iterator().next().getInteger(0)).isEqualTo(42);
    pool.close().await();
  }
}
