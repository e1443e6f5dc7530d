package org.calsync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import org.calsync.App;
import org.calsync.db.JobQueue;
import org.calsync.emulator.FaultProfile;
import org.calsync.scheduler.SchedulerTasks;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A run that ends rate limited, after the in-sync retries, is retried without spending one of sync.maxAttempts. */
@ExtendWith(HarnessExtension.class)
class RateLimitedJobTest {
  private Harness h;

  @BeforeEach
  void setUp(Harness harness) {
    h = harness.configure(new JsonObject().put("sync", new JsonObject().put("maxAttempts", 1)));
    h.start(new App.Parts(true, false, false));
  }

  @AfterEach
  void tearDown() throws Exception {
    h.emulator.state().setFaults(FaultProfile.none());
  }

  @Test
  void sustainedRateLimitsNeverMoveTheJobToFailedJobs() {
    h.emulator.state().setFaults(FaultProfile.none().withRateLimit(1.0));
    long id = h.connectSeeded(1, 3).values().iterator().next();
    new SchedulerTasks(h.vertx, h.config, h.pool()).dispatchCycle(null, 0, JobQueue.PRIORITY_SCHEDULED).await();
    Harness.await("the job to fail or be rate limited", 120, () -> h.count("SELECT count(*) FROM failed_jobs") > 0
        || h.count("SELECT count(*) FROM jobs WHERE rate_limited > 0") > 0);
    assertThat(h.query("SELECT error FROM failed_jobs")).as("failed jobs").isEmpty();
    Row job = h.query("SELECT attempts, rate_limited, last_error FROM jobs WHERE integration_id = $1", id).get(0);
    assertThat(job.getInteger(1)).isPositive();
    assertThat(job.getString(2)).containsIgnoringCase("rate");
  }
}
