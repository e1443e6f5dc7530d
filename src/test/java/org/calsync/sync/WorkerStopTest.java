package org.calsync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import java.time.OffsetDateTime;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.calsync.App;
import org.calsync.db.JobQueue;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.calsync.support.LogCapture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A worker stopped while its claim query is still running releases what that claim returns instead of syncing it. */
@ExtendWith(HarnessExtension.class)
class WorkerStopTest {
  private static final String CLAIM_WAITING = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
      + "AND query LIKE 'UPDATE jobs j SET locked_by = $1%'";

  private Harness h;

  @BeforeEach
  void setUp(Harness harness) {
    h = harness.start(new App.Parts(false, false, false));
  }

  @Test
  void jobsClaimedWhileStoppingAreReleasedNotRun() throws Exception {
    long id = h.connectSeeded(1, 2).values().iterator().next();
    new JobQueue(h.pool()).enqueue(id, JobQueue.PRIORITY_MANUAL, OffsetDateTime.now()).await();
    long googleRequests = h.emulator.state().stats().totalRequests();

    // The claim reads calendars: holding that table keeps the worker's first claim in progress.
    SqlConnection conn = h.pool().getConnection().await();
    Transaction tx = conn.begin().await();
    conn.query("LOCK TABLE calendars IN ACCESS EXCLUSIVE MODE").execute().await();
    String deployment = h.vertx.deployVerticle(new SyncWorkerVerticle(h.config, h.pool(), h.runtime.registry(), h.app.google(), Set.of(id))).await();
    Harness.await("the claim to wait on the lock", () -> h.count(CLAIM_WAITING) == 1);

    try (LogCapture workerLog = LogCapture.of(SyncWorkerVerticle.class)) {
      Future<Void> undeployed = h.vertx.undeploy(deployment);
      Harness.await("the worker to stop while its claim waits", () -> workerLog.logged("waiting for the claim in progress"));
      tx.commit().await();
      conn.close().await();
      undeployed.await(30, TimeUnit.SECONDS);
    }
    Harness.await("the job to be released",
        () -> h.count("SELECT count(*) FROM jobs WHERE integration_id = $1 AND locked_by IS NOT NULL", id) == 0);

    Row job = h.query("SELECT attempts, last_error FROM jobs WHERE integration_id = $1", id).get(0);
    assertThat(job.getInteger(0)).as("attempt given back").isZero();
    assertThat(job.getString(1)).isNull();
    assertThat(h.emulator.state().stats().totalRequests()).as("no sync started").isEqualTo(googleRequests);
    assertThat(h.query("SELECT last_sync_at FROM user_integrations WHERE id = $1", id).get(0).getValue(0)).isNull();
  }
}
