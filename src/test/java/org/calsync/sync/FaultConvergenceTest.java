package org.calsync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.calsync.App;
import org.calsync.emulator.FaultProfile;
import org.calsync.support.FaultCounts;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every integration converges while Google misbehaves: 10% 5xx, 5% rate limits, 2% connection resets, 2% responses
 * slower than the client's timeout, 1% truncated JSON, 5% short or empty pages that still carry a page token, with
 * Google-side edits between cycles.
 */
@ExtendWith(HarnessExtension.class)
class FaultConvergenceTest {
  private Harness h;

  @BeforeEach
  void setUp(Harness harness) {
    h = harness.configure(new JsonObject()
        .put("google", new JsonObject().put("requestTimeoutMs", 800))
        .put("sync", new JsonObject().put("pageSize", 10).put("maxConcurrent", 64)));
    h.start(new App.Parts(true, false, false));
  }

  @Test
  void mirrorsConvergeUnderInjectedFaultsAndFailedJobsStayEmpty() {
    Map<String, Long> ids = h.connectSeeded(120, 30);
    h.emulator.state().setFaults(FaultProfile.none().withServerError(0.10).withRateLimit(0.05).withConnectionReset(0.02)
        .withSlow(0.02, 1500).withMalformedJson(0.01).withEmptyPages(0.05));

    h.runCycle();
    for (int round = 0; round < 2; round++) {
      long mutations = h.emulator.state().mutationDriver().mutations();
      h.emulator.state().mutationDriver().start(300);
      Harness.await("Google-side changes", () -> h.emulator.state().mutationDriver().mutations() >= mutations + 100);
      h.emulator.state().mutationDriver().stop();
      h.runCycle();
    }

    long injected = h.emulator.state().stats().faultsInjected();
    List<String> diverged = new ArrayList<>();
    for (String cal : ids.keySet()) if (!h.mirrored(cal).equals(h.truth(cal))) diverged.add(cal);
    long failed = h.count("SELECT count(*) FROM failed_jobs");
    System.out.printf("fault convergence: 120 integrations, 3 cycles, %d requests, %d faults injected %s, failed_jobs %d, "
            + "convergence %d/120 mirrors equal truth%n", h.emulator.state().stats().totalRequests(), injected,
        FaultCounts.byKind(h.emulator.state().stats(), "slow/malformed/shortPages"), failed, 120 - diverged.size());

    assertThat(injected).as("faults were injected").isGreaterThan(50);
    assertThat(diverged).as("calendars whose mirror differs from Google").isEmpty();
    assertThat(h.query("SELECT integration_id, error_class, error FROM failed_jobs").stream()
        .map(r -> r.getLong(0) + " " + r.getString(1) + ": " + r.getString(2)).toList()).as("failed_jobs").isEmpty();
    assertThat(h.count("SELECT count(*) FROM jobs")).isZero();
    assertThat(h.count("SELECT count(*) FROM user_integrations WHERE last_sync_status = 'ok'")).isEqualTo(120);
  }

  @Test
  void quotaExceededDefersTheIntegrationForHoursWithoutFailing() {
    Map<String, Long> ids = h.connectSeeded(1, 5);
    h.emulator.state().setFaults(FaultProfile.none().withQuotaExceeded(1.0));
    new org.calsync.scheduler.SchedulerTasks(h.vertx, h.config, h.pool()).dispatchCycle(null, 0, 10).await();
    long id = ids.values().iterator().next();
    // the deferral and the job's new due time are two statements: wait for the second
    Harness.await("the job deferred", () -> h.count("SELECT count(*) FROM jobs WHERE integration_id = $1 "
        + "AND available_at > now() + interval '1 hour'", id) == 1);
    var row = h.query("SELECT EXTRACT(EPOCH FROM deferred_until - now())::float8 FROM user_integrations WHERE id = $1", id).get(0);
    assertThat(row.getDouble(0)).as("deferred by hours").isGreaterThan(3 * 3600);
    var job = h.query("SELECT attempts, EXTRACT(EPOCH FROM available_at - now())::float8 FROM jobs WHERE integration_id = $1", id).get(0);
    assertThat(job.getDouble(1)).isGreaterThan(3 * 3600);
    assertThat(h.count("SELECT count(*) FROM failed_jobs")).isZero();
    assertThat(h.emulator.state().stats().requests(" 403")).as("no hammering").isEqualTo(1);
  }
}
