package org.calsync.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.sqlclient.Row;
import java.time.OffsetDateTime;
import java.util.List;
import org.calsync.App;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Enqueueing again for an integration whose job waits unclaimed merges into that job. */
@ExtendWith(HarnessExtension.class)
class JobQueueEnqueueTest {
  private Harness h;

  @BeforeEach
  void setUp(Harness harness) {
    h = harness.start(new App.Parts(false, false, false));
  }

  @Test
  void reEnqueueOfAnUnclaimedJobKeepsOneRowWithHighestPriorityAndEarliestDueTime() {
    long id = h.connectSeeded(1, 1).values().iterator().next();
    JobQueue queue = new JobQueue(h.pool());
    OffsetDateTime later = OffsetDateTime.now().plusMinutes(20);
    queue.enqueue(id, JobQueue.PRIORITY_SCHEDULED, later).await();
    queue.enqueue(id, JobQueue.PRIORITY_PUSH, later.minusMinutes(19)).await();
    queue.enqueue(id, JobQueue.PRIORITY_SCHEDULED, later).await();

    List<Row> rows = h.query("SELECT priority, available_at < now() + interval '5 minutes', rerun FROM jobs WHERE integration_id = $1", id);
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0).getInteger(0)).isEqualTo(JobQueue.PRIORITY_PUSH);
    assertThat(rows.get(0).getBoolean(1)).isTrue();
    assertThat(rows.get(0).getBoolean(2)).isFalse();
  }

  @Test
  void scheduledAndPushEnqueuesRespectAQuotaDeferralAndManualOnesOverrideIt() {
    var ids = h.connectSeeded(2, 1).values().stream().sorted().toList();
    long deferred = ids.get(0);
    long fresh = ids.get(1);
    JobQueue queue = new JobQueue(h.pool());
    h.query("UPDATE user_integrations SET deferred_until = now() + interval '4 hours' WHERE id = $1", deferred);

    OffsetDateTime now = OffsetDateTime.now();
    queue.enqueueAll(List.of(deferred, fresh), List.of(now, now), JobQueue.PRIORITY_SCHEDULED).await();
    assertThat(hoursUntilDue(deferred)).as("new scheduled job").isGreaterThan(3.9);
    assertThat(hoursUntilDue(fresh)).as("not deferred").isLessThan(0.01);

    queue.enqueue(deferred, JobQueue.PRIORITY_PUSH, OffsetDateTime.now()).await();
    h.pool().withTransaction(conn -> JobQueue.enqueue(conn, deferred, JobQueue.PRIORITY_PUSH, OffsetDateTime.now())).await();
    assertThat(hoursUntilDue(deferred)).as("push enqueues do not pull it forward").isGreaterThan(3.9);
    assertThat(h.query("SELECT priority FROM jobs WHERE integration_id = $1", deferred).get(0).getInteger(0))
        .isEqualTo(JobQueue.PRIORITY_PUSH);

    queue.enqueue(deferred, JobQueue.PRIORITY_MANUAL, OffsetDateTime.now()).await();
    assertThat(hoursUntilDue(deferred)).as("manual overrides the deferral").isLessThan(0.01);
  }

  private double hoursUntilDue(long integrationId) {
    return h.query("SELECT EXTRACT(EPOCH FROM available_at - now())::float8 / 3600 FROM jobs WHERE integration_id = $1",
        integrationId).get(0).getDouble(0);
  }
}
