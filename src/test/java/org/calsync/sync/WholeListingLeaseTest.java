package org.calsync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.TreeMap;
import org.calsync.App;
import org.calsync.db.JobQueue;
import org.calsync.db.JobQueue.Job;
import org.calsync.mirror.BusyBlocks;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A full listing that came in one page is written in one transaction only while its worker still holds the job: a
 * worker whose lease lapsed and whose job another worker claimed writes nothing of its listing (no mirror rows, no
 * sync token, no busy blocks); the current holder's listing is written.
 */
@ExtendWith(HarnessExtension.class)
class WholeListingLeaseTest {
  private Harness h;
  private JobQueue q;
  private String email;
  private long integrationId;

  @BeforeEach
  void setUp(Harness harness) {
    h = harness.start(new App.Parts(false, false, false));
    q = new JobQueue(h.pool());
    Map.Entry<String, Long> seeded = h.connectSeeded(1, 5).entrySet().iterator().next();
    email = seeded.getKey();
    integrationId = seeded.getValue();
  }

  @Test
  void aStaleHolderWritesNothingOfItsWholeListing() {
    q.enqueue(integrationId, JobQueue.PRIORITY_SCHEDULED, OffsetDateTime.now()).await();
    Job stale = q.claim("stale", 1, 30).await().get(0);
    h.query("UPDATE jobs SET locked_until = now() - interval '1 second' WHERE id = $1", stale.id());
    Job current = q.claim("current", 1, 30).await().get(0);
    assertThat(current.id()).isEqualTo(stale.id());

    Throwable refused = Harness.await(sync("stale", stale).transform(ar -> Future.succeededFuture(ar.cause())));

    assertThat(h.count("SELECT count(*) FROM calendar_events")).as("no mirror rows").isZero();
    assertThat(h.count("SELECT count(*) FROM busy_blocks")).as("no busy blocks").isZero();
    assertThat(h.count("SELECT count(*) FROM calendars WHERE sync_token IS NOT NULL OR last_sync_at IS NOT NULL"))
        .as("no sync token").isZero();
    assertThat(refused).isInstanceOf(JobQueue.LeaseLost.class);

    SyncResult written = Harness.await(sync("current", current));

    assertThat(written.fullSync()).isTrue();
    assertThat(written.pages()).as("one page: the whole-listing path").isEqualTo(1);
    assertThat(h.mirrored(email)).isNotEmpty().isEqualTo(h.truth(email));
    assertThat(h.count("SELECT count(*) FROM calendars WHERE sync_token IS NOT NULL")).isEqualTo(1);
  }

  private Future<SyncResult> sync(String worker, Job job) {
    CalendarSync sync = new CalendarSync(h.pool(), h.app.google(), h.config.sync(),
        new BusyBlocks(h.vertx, h.config.booking()), worker);
    return sync.sync(job.id(), integrationId, false, new TreeMap<>(), null, null, true, true);
  }
}
