package org.calsync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.OffsetDateTime;
import java.util.List;
import org.calsync.App;
import org.calsync.db.JobQueue;
import org.calsync.db.JobQueue.Job;
import org.calsync.support.Harness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Queue semantics on the real database: dedupe, priorities, leases, reruns, failed jobs. */
class JobQueueTest {
  private Harness h;
  private JobQueue q;
  private long a;
  private long b;

  @BeforeEach
  void setUp() {
    h = new Harness().start(new App.Parts(false, false, false));
    q = new JobQueue(h.pool());
    var ids = h.connectSeeded(2, 1).values().stream().sorted().toList();
    a = ids.get(0);
    b = ids.get(1);
  }

  @AfterEach
  void tearDown() throws Exception {
    h.close();
  }

  @Test
  void onePendingJobPerIntegrationWithTheHighestPriorityAndEarliestTime() {
    OffsetDateTime later = OffsetDateTime.now().plusMinutes(10);
    q.enqueue(a, JobQueue.PRIORITY_SCHEDULED, later).await();
    q.enqueue(a, JobQueue.PRIORITY_PUSH, OffsetDateTime.now()).await();
    q.enqueue(a, JobQueue.PRIORITY_SCHEDULED, later).await();
    q.enqueue(b, JobQueue.PRIORITY_MANUAL, OffsetDateTime.now()).await();

    assertThat(h.query("SELECT count(*) FROM jobs WHERE integration_id = $1", a).get(0).getLong(0)).isEqualTo(1);
    List<Job> first = q.claim("w1", 1, 30).await();
    List<Job> second = q.claim("w1", 1, 30).await();
    assertThat(first).extracting(Job::integrationId).as("manual before push").containsExactly(b);
    assertThat(second).extracting(Job::integrationId).containsExactly(a);
    assertThat(second.get(0).priority()).isEqualTo(JobQueue.PRIORITY_PUSH);
    assertThat(q.claim("w2", 10, 30).await()).as("held by w1").isEmpty();
  }

  @Test
  void enqueueWhileRunningRunsOnceMoreAfterwardsAndLapsedLeasesAreReclaimed() {
    q.enqueue(a, JobQueue.PRIORITY_SCHEDULED, OffsetDateTime.now()).await();
    Job job = q.claim("w1", 1, 30).await().get(0);
    q.enqueue(a, JobQueue.PRIORITY_PUSH, OffsetDateTime.now()).await();
    complete(job, "w1");
    List<Job> again = q.claim("w1", 1, 30).await();
    assertThat(again).hasSize(1);
    complete(again.get(0), "w1");
    assertThat(h.query("SELECT count(*) FROM jobs").get(0).getLong(0)).isZero();

    q.enqueue(b, JobQueue.PRIORITY_SCHEDULED, OffsetDateTime.now()).await();
    Job held = q.claim("dead", 1, 1).await().get(0);
    Harness.sleep(1200);
    List<Job> reclaimed = q.claim("w2", 1, 30).await();
    assertThat(reclaimed).extracting(Job::id).containsExactly(held.id());
    assertThat(reclaimed.get(0).attempts()).isEqualTo(2);
    complete(held, "dead");
    assertThat(h.query("SELECT locked_by FROM jobs WHERE id = $1", held.id()).get(0).getString(0))
        .as("a lapsed holder cannot settle the job").isEqualTo("w2");
  }

  private void complete(Job job, String worker) {
    q.completeAll(List.of(new JobQueue.Done(job.id(), job.integrationId(), new io.vertx.core.json.JsonObject(), java.util.Map.of())),
        worker).await();
  }

  @Test
  void failedJobsKeepTheirErrorAndCanBeRetried() {
    q.enqueue(a, JobQueue.PRIORITY_SCHEDULED, OffsetDateTime.now()).await();
    Job job = q.claim("w1", 1, 30).await().get(0);
    q.fail(job, "w1", "google.transient.backendError", "events.list failed: HTTP 500 backendError").await();
    var rows = q.listFailed(10).await();
    assertThat(rows).hasSize(1);
    assertThat(rows.getJsonObject(0).getString("error")).contains("HTTP 500");
    assertThat(h.query("SELECT count(*) FROM jobs").get(0).getLong(0)).isZero();

    assertThat(q.retryFailed(rows.getJsonObject(0).getLong("id")).await()).isEqualTo(1);
    assertThat(q.listFailed(10).await()).isEmpty();
    List<Job> back = q.claim("w1", 1, 30).await();
    assertThat(back).extracting(Job::integrationId).containsExactly(a);
    assertThat(back.get(0).priority()).isEqualTo(JobQueue.PRIORITY_MANUAL);
  }
}
