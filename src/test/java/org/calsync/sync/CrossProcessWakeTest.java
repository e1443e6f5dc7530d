package org.calsync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.OffsetDateTime;
import java.util.List;
import org.calsync.App;
import org.calsync.bus.Addresses;
import org.calsync.config.DbConfig;
import org.calsync.db.Db;
import org.calsync.db.JobQueue;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.calsync.support.LogCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A job enqueued by another process (here: its own pool, no event bus in common) is claimed on the enqueue's
 * notification, not at the worker's next poll: the poll interval is set far beyond how long the test waits. Also the
 * worker's logging: per-sync lines at DEBUG, one INFO summary when the run of syncs ends.
 */
@ExtendWith(HarnessExtension.class)
class CrossProcessWakeTest {
  @Test
  void jobEnqueuedElsewhereIsClaimedWithoutWaitingForThePoll(Harness h) {
    h.configure(new JsonObject().put("sync", new JsonObject().put("pollMs", 60_000))).start(new App.Parts(true, false, false));
    List<Long> ids = List.copyOf(h.connectSeeded(3, 3).values());
    long id = ids.get(0);
    try (LogCapture log = LogCapture.of(SyncWorkerVerticle.class)) {
      // a first run in this process, woken over the event bus; its summary is logged once the worker's claim after
      // the last sync found nothing, so the next enqueue cannot be picked up by that claim
      JobQueue local = new JobQueue(h.pool());
      for (long i : ids) local.enqueueManual(i, new JsonObject()).await();
      h.vertx.eventBus().publish(Addresses.JOBS_AVAILABLE, new JsonObject());
      Harness.await("the first run's summary", () -> !log.at(Level.INFO, "syncs finished").isEmpty());
      List<ILoggingEvent> summaries = log.at(Level.INFO, "syncs finished");
      assertThat(summaries).hasSize(1);
      assertThat(summaries.get(0).getKeyValuePairs().toString()).contains("synced=\"3\"").contains("failed=\"0\"");
      assertThat(log.at(Level.INFO, "sync completed")).as("per-sync lines are DEBUG").isEmpty();
    }
    OffsetDateTime first = h.query("SELECT last_sync_at FROM user_integrations WHERE id = $1", id).get(0).getOffsetDateTime(0);

    DbConfig db = h.config.db();
    Pool other = Db.pool(h.vertx, new DbConfig(db.url(), db.password(), 1));
    try {
      new JobQueue(other).enqueueManual(id, new JsonObject()).await();
      Harness.await("the job enqueued elsewhere to run (well before the 60 s poll)", 20, () -> h.count(
          "SELECT count(*) FROM user_integrations WHERE id = $1 AND last_sync_at > $2", id, first) == 1);
    } finally {
      other.close().await();
    }
  }

  @Test
  void workersAndTheNoticeRelayShareOneListenConnection(Harness h) {
    h.start(new App.Parts(true, false, true));
    String listening = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'";
    Harness.await("jobs and notices listened to", () -> h.app.notifications().listening().size() == 2);
    assertThat(h.count(listening)).as("one LISTEN connection per process").isEqualTo(1);
  }
}
