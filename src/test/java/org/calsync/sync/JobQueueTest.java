package org.calsync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.OffsetDateTime;
import java.util.List;
import org.calsync.App;
import org.calsync.db.JobQueue.Job;
import org.calsync.db.JobQueue;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Queue semantics on the real database: dedupe, priorities, leases, reruns, failed jobs. */
@ExtendWith(HarnessExtension.class)
class JobQueueTest {
  private Harness h;
  private JobQueue q;
  private long a;
  private long b;

  @BeforeEach
  void setUp(Harness harness) {
    h = harness.start(new App.Parts(false, false, false));
    q = new JobQueue(h.pool());
    var ids = h.connectSeeded(2, 1).values().stream().sorted().toList();
    a = ids.get(0);
    b = ids.get(1);
  }

  @Test
  void onePendingJobPerIntegrationWithTheHighestPriorityAndEarliestTime() {
    OffsetDateTime later = OffsetDateTime.now().plusMinutes(10);
    q.enqueue(a, JobQueue.PRIORITY_SCHEDULED, later).await();
    q.enqueue(a, JobQueue.PRIORITY_PUSH, OffsetDateTime.now()).await();
    q.enqueue(a, JobQueue.PRIORITY_SCHEDULED, later).await();
    q.enqueue(b, JobQueue.PRIORITY_MANUAL, OffsetDateTime.now()).await();

    assertThat(h.count("SELECT count(*) FROM jobs WHERE integration_id = $1", a)).isEqualTo(1);
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
    assertThat(h.count("SELECT count(*) FROM jobs")).isZero();

    q.enqueue(b, JobQueue.PRIORITY_SCHEDULED, OffsetDateTime.now()).await();
    Job held = q.claim("dead", 1, 1).await().get(0);
    Harness.await("the 1 s lease to lapse", () -> h.count("SELECT count(*) FROM jobs WHERE id = $1 AND locked_until < now()", held.id()) == 1);
    List<Job> reclaimed = q.claim("w2", 1, 30).await();
    assertThat(reclaimed).extracting(Job::id).containsExactly(held.id());
    assertThat(reclaimed.get(0).attempts()).isEqualTo(2);
    complete(held, "dead");
    assertThat(h.query("SELECT locked_by FROM jobs WHERE id = $1", held.id()).get(0).getString(0))
        .as("a lapsed holder cannot settle the job").isEqualTo("w2");
  }

  @Test
  void aJobEnqueuedWhileRunningForLaterRunsOnceMoreNoEarlierThanAsked() {
    q.enqueue(a, JobQueue.PRIORITY_SCHEDULED, OffsetDateTime.now()).await();
    Job job = q.claim("w1", 1, 30).await().get(0);
    q.enqueue(a, JobQueue.PRIORITY_PUSH, OffsetDateTime.now().plusMinutes(10)).await();
    complete(job, "w1");
    assertThat(h.count("SELECT count(*) FROM jobs WHERE id = $1 AND available_at > now() + interval '5 minutes'", job.id()))
        .as("the once-more run waits for the due time it was asked for").isEqualTo(1);
    assertThat(q.claim("w1", 1, 30).await()).isEmpty();

    h.query("UPDATE jobs SET available_at = now()");
    Job again = q.claim("w1", 1, 30).await().get(0);
    q.enqueue(a, JobQueue.PRIORITY_PUSH, OffsetDateTime.now().plusMinutes(10)).await();
    q.enqueue(a, JobQueue.PRIORITY_SCHEDULED, OffsetDateTime.now()).await();
    complete(again, "w1");
    assertThat(q.claim("w1", 1, 30).await()).as("the earliest due time asked while it ran wins").hasSize(1);
  }

  @Test
  void aRunningJobAskedToRunOnceMoreLaterIsStillRetakenWhenItsHolderDiesOrLetsGo() {
    q.enqueue(a, JobQueue.PRIORITY_SCHEDULED, OffsetDateTime.now()).await();
    Job job = q.claim("w1", 1, 30).await().get(0);
    // a cycle enqueues it again while it runs, spaced 20 minutes into the window
    q.enqueue(a, JobQueue.PRIORITY_SCHEDULED, OffsetDateTime.now().plusMinutes(20)).await();
    h.query("UPDATE jobs SET locked_until = now() - interval '1 second' WHERE id = $1", job.id());
    List<Job> retaken = q.claim("w2", 1, 30).await();
    assertThat(retaken).as("the interrupted run is retaken when the dead holder's lease lapses, not 20 minutes later")
        .extracting(Job::id).containsExactly(job.id());

    q.enqueue(a, JobQueue.PRIORITY_SCHEDULED, OffsetDateTime.now().plusMinutes(20)).await();
    assertThat(q.releaseAll("w2").await()).isEqualTo(1);
    assertThat(q.claim("w3", 1, 30).await()).as("a released job is due again at once").extracting(Job::id)
        .containsExactly(job.id());
  }

  private void complete(Job job, String worker) {
    q.completeAll(List.of(new JobQueue.Done(job.id(), job.integrationId(), new io.vertx.core.json.JsonObject(), java.util.Map.of())),
        worker).await();
  }

  @Test
  void failedJobsKeepTheirErrorAndCanBeRetried() {
    q.enqueue(a, JobQueue.PRIORITY_SCHEDULED, OffsetDateTime.now()).await();
    Job job = q.claim("w1", 1, 30).await().get(0);
    q.fail(job, "w1", "google.transient.backendError", "events.list failed: HTTP 500 backendError", "failed").await();
    var rows = q.listFailed(10).await();
    assertThat(rows).hasSize(1);
    assertThat(rows.getJsonObject(0).getString("error")).contains("HTTP 500");
    assertThat(h.count("SELECT count(*) FROM jobs")).isZero();

    assertThat(q.retryFailed(rows.getJsonObject(0).getLong("id")).await()).isEqualTo(1);
    assertThat(q.listFailed(10).await()).isEmpty();
    List<Job> back = q.claim("w1", 1, 30).await();
    assertThat(back).extracting(Job::integrationId).containsExactly(a);
    assertThat(back.get(0).priority()).isEqualTo(JobQueue.PRIORITY_MANUAL);
  }

  @Test
  void aHolderWhoseLeaseWasTakenOverCannotOverwriteTheSyncTokenOrTheSummary() {
    long cal = h.longValue("INSERT INTO calendars (integration_id, google_calendar_id, sync_token) VALUES ($1, 'lease-test', 't0') "
        + "RETURNING id", a);
    q.enqueue(a, JobQueue.PRIORITY_SCHEDULED, OffsetDateTime.now()).await();
    Job stale = q.claim("stale", 1, 30).await().get(0);
    lapse(stale.id());
    Job current = q.claim("current", 1, 30).await().get(0);
    assertThat(current.id()).isEqualTo(stale.id());

    settle(stale, "stale", cal, "t-stale");
    assertThat(token(cal)).as("stale holder, before the new holder settles").isEqualTo("t0");
    assertThat(h.query("SELECT last_sync_at IS NULL AND calendars_checked_at IS NULL AND calendar_list_token IS NULL "
        + "FROM user_integrations WHERE id = $1", a).get(0).getBoolean(0)).as("nothing of the stale holder's stored").isTrue();
    assertThat(h.query("SELECT locked_by FROM jobs WHERE id = $1", current.id()).get(0).getString(0)).isEqualTo("current");

    settle(current, "current", cal, "t-current");
    assertThat(token(cal)).isEqualTo("t-current");
    settle(stale, "stale", cal, "t-stale");
    assertThat(token(cal)).as("stale holder, after the new holder settled").isEqualTo("t-current");
    assertThat(h.responseData(a).getString("by")).isEqualTo("current");
    assertThat(h.query("SELECT calendar_list_token FROM user_integrations WHERE id = $1 AND calendars_checked_at IS NOT NULL", a)
        .get(0).getString(0)).isEqualTo("cl-current");
  }

  @Test
  void renewalExtendsOnlyTheGivenJobsAndClaimsSkipExcludedAndFilteredOnes() {
    q.enqueue(a, JobQueue.PRIORITY_SCHEDULED, OffsetDateTime.now()).await();
    q.enqueue(b, JobQueue.PRIORITY_SCHEDULED, OffsetDateTime.now()).await();
    List<Job> both = q.claim("w1", 10, 30).await();
    assertThat(both).hasSize(2);
    long ja = both.stream().filter(j -> j.integrationId() == a).findFirst().orElseThrow().id();
    long jb = both.stream().filter(j -> j.integrationId() == b).findFirst().orElseThrow().id();
    h.query("UPDATE jobs SET locked_until = now() + interval '10 seconds'");
    q.renew("w1", List.of(ja), 300).await();
    assertThat(leaseLeftSeconds(ja)).isGreaterThan(200);
    assertThat(leaseLeftSeconds(jb)).as("not in flight: not renewed").isLessThan(20);

    lapse(ja);
    lapse(jb);
    assertThat(q.claim("w1", 10, 30, List.of(ja, jb), null).await()).as("own running jobs are never re-claimed").isEmpty();
    List<Job> onlyB = q.claim("cli", 10, 30, List.of(), List.of(b)).await();
    assertThat(onlyB).extracting(Job::id).containsExactly(jb);
    assertThat(q.claim("w1", 10, 30, List.of(jb), null).await()).extracting(Job::id).containsExactly(ja);
    assertThat(q.release("cli", List.of(ja, jb)).await()).as("only the jobs cli holds").isEqualTo(1);
    assertThat(q.releaseAll("w1").await()).isEqualTo(1);
    assertThat(h.count("SELECT count(*) FROM jobs WHERE locked_by IS NULL AND attempts = 1"))
        .as("claimed twice, the last claim given back").isEqualTo(2);
  }

  @Test
  void rateLimitedRunsGiveTheAttemptBackAndCountTheStreakUntilASuccess() {
    q.enqueue(a, JobQueue.PRIORITY_SCHEDULED, OffsetDateTime.now()).await();
    for (int run = 0; run < 3; run++) {
      Job job = q.claim("w1", 1, 30).await().get(0);
      assertThat(job.attempts()).isEqualTo(1);
      assertThat(job.rateLimited()).isEqualTo(run);
      q.retryRateLimited(job, "w1", 0, "events.list failed: HTTP 429 rateLimitExceeded").await();
    }
    Job job = q.claim("w1", 1, 30).await().get(0);
    q.enqueue(a, JobQueue.PRIORITY_PUSH, OffsetDateTime.now()).await();
    complete(job, "w1");
    Job rerun = q.claim("w1", 1, 30).await().get(0);
    assertThat(rerun.rateLimited()).isZero();
    q.retry(rerun, "w1", 0, "HTTP 500").await();
    var row = h.query("SELECT attempts, rate_limited FROM jobs WHERE id = $1", rerun.id()).get(0);
    assertThat(row.getInteger(0)).as("a counted retry keeps its attempt").isEqualTo(1);
    assertThat(row.getInteger(1)).isZero();
  }

  @Test
  void retryingAFailedJobKeepsItsPayload() {
    q.enqueue(a, JobQueue.PRIORITY_SCHEDULED, OffsetDateTime.now()).await();
    h.query("UPDATE jobs SET payload = '{\"allowMassDelete\": true}'::jsonb WHERE integration_id = $1", a);
    Job job = q.claim("w1", 1, 30).await().get(0);
    assertThat(job.payload().getBoolean("allowMassDelete")).isTrue();
    q.fail(job, "w1", "MassDeletionRefused", "would delete 30 of 40 events", "failed").await();
    q.enqueue(b, JobQueue.PRIORITY_SCHEDULED, OffsetDateTime.now()).await();
    q.fail(q.claim("w1", 1, 30).await().get(0), "w1", "google.permanent", "HTTP 404", "failed").await();

    assertThat(q.retryFailed(null).await()).isEqualTo(2);
    List<Job> back = q.claim("w1", 10, 30).await();
    assertThat(back).hasSize(2);
    for (Job j : back) {
      assertThat(j.priority()).isEqualTo(JobQueue.PRIORITY_MANUAL);
      assertThat(j.payload().getBoolean("allowMassDelete", false)).as("payload of %d", j.integrationId()).isEqualTo(j.integrationId() == a);
    }
  }

  private void lapse(long jobId) {
    h.query("UPDATE jobs SET locked_until = now() - interval '1 second' WHERE id = $1", jobId);
  }

  private double leaseLeftSeconds(long jobId) {
    return h.query("SELECT EXTRACT(EPOCH FROM locked_until - now())::float8 FROM jobs WHERE id = $1", jobId).get(0).getDouble(0);
  }

  private String token(long calendarId) {
    return h.query("SELECT sync_token FROM calendars WHERE id = $1", calendarId).get(0).getString(0);
  }

  private void settle(Job job, String worker, long calendarId, String token) {
    q.completeAll(List.of(new JobQueue.Done(job.id(), job.integrationId(), new io.vertx.core.json.JsonObject().put("by", worker),
        java.util.Map.of(calendarId, token), "cl-" + worker, false, true)), worker).await();
  }
}
