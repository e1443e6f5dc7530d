package org.calsync.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.stream.Collectors;
import org.calsync.App;
import org.calsync.db.JobQueue;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A cycle's jobs are spread evenly over 90% of the interval, against the real database. */
@ExtendWith(HarnessExtension.class)
class SchedulerStaggerTest {
  private static final int ACTIVE = 50;
  private Harness h;

  @BeforeEach
  void setUp(Harness harness) {
    h = harness.start(new App.Parts(false, false, false));
    h.query("INSERT INTO user_integrations (user_id, account_email) SELECT g, 'u' || g || '@clinic.example' "
        + "FROM generate_series(1, $1) g", ACTIVE);
    h.query("INSERT INTO user_integrations (user_id, status) VALUES (900, 'needs_reconnect')");
    h.query("INSERT INTO user_integrations (user_id, deferred_until) VALUES (901, now() + interval '1 hour')");
  }

  private List<OffsetDateTime> availableAt() {
    return h.query("SELECT available_at FROM jobs ORDER BY available_at").stream().map(r -> r.getOffsetDateTime(0)).toList();
  }

  private OffsetDateTime dbNow() {
    return h.query("SELECT clock_timestamp()").get(0).getOffsetDateTime(0);
  }

  @Test
  void oneCycleSpreadsItsJobsEvenlyOverTheWindow() {
    long window = Schedule.staggerWindowMillis(30, true);
    OffsetDateTime before = dbNow();
    int enqueued = new SchedulerTasks(h.vertx, h.config, h.pool()).dispatchCycle(null, window, JobQueue.PRIORITY_SCHEDULED).await();
    OffsetDateTime after = dbNow();

    assertThat(enqueued).as("active, not deferred").isEqualTo(ACTIVE);
    List<OffsetDateTime> at = availableAt();
    assertThat(at).hasSize(ACTIVE);
    assertThat(at.stream().collect(Collectors.toSet())).as("distinct").hasSize(ACTIVE);
    assertThat(at.get(0)).isBetween(before.minusSeconds(1), after);
    assertThat(at.get(ACTIVE - 1)).isBefore(after.plus(Duration.ofMillis(window)));
    long spread = Duration.between(at.get(0), at.get(ACTIVE - 1)).toMillis();
    assertThat(spread).as("first to last: (n-1)/n of the window").isBetween(window * (ACTIVE - 1) / ACTIVE - 2, window);
    long step = window / ACTIVE;
    for (int i = 1; i < ACTIVE; i++) {
      assertThat(Duration.between(at.get(i - 1), at.get(i)).toMillis()).as("gap %d", i).isBetween(step - 1, step + 1);
    }
  }

  @Test
  void withoutStaggerEveryJobIsDueAtOnce() {
    new SchedulerTasks(h.vertx, h.config, h.pool()).dispatchCycle(null, Schedule.staggerWindowMillis(30, false),
        JobQueue.PRIORITY_SCHEDULED).await();
    assertThat(h.count("SELECT count(*) FROM jobs WHERE available_at <= now()")).isEqualTo(ACTIVE);
  }

  @Test
  void theSchedulerStaggersOverNinetyPercentOfTheIntervalAndDoesNotRepeatAfterARestart() throws Exception {
    OffsetDateTime before = dbNow();
    h.app.close().await();
    h.config = h.config(new JsonObject().put("sync", new JsonObject().put("intervalMinutes", 20).put("stagger", true)));
    h.start(new App.Parts(false, true, false));
    awaitTask("cleanup");
    JsonObject detail = (JsonObject) h.query("SELECT detail FROM scheduler_runs WHERE task = 'auto_sync'").get(0).getValue(0);
    assertThat(detail.getInteger("enqueued")).isEqualTo(ACTIVE);
    assertThat(detail.getLong("windowSeconds")).as("90% of 20 min").isEqualTo(18 * 60);
    List<OffsetDateTime> at = availableAt();
    assertThat(at).hasSize(ACTIVE);
    assertThat(at.get(0)).isAfter(before.minusSeconds(1));
    long spread = Duration.between(at.get(0), at.get(ACTIVE - 1)).toMillis();
    assertThat(spread).isBetween(18 * 60_000L * (ACTIVE - 1) / ACTIVE - 2, 18 * 60_000L);
    assertThat(h.query("SELECT detail->>'firstSeen' FROM scheduler_runs WHERE task IN ('cleanup', 'token_health')")
        .stream().map(r -> r.getString(0)).toList()).as("daily/weekly tasks wait for their time").containsOnly("true");

    OffsetDateTime lastRun = h.query("SELECT last_run_at FROM scheduler_runs WHERE task = 'auto_sync'").get(0).getOffsetDateTime(0);
    h.query("DELETE FROM jobs");
    h.query("DELETE FROM scheduler_runs WHERE task = 'cleanup'");
    h.app.close().await();
    h.start(new App.Parts(false, true, false));
    awaitTask("cleanup");
    assertThat(h.query("SELECT last_run_at FROM scheduler_runs WHERE task = 'auto_sync'").get(0).getOffsetDateTime(0))
        .as("the restarted scheduler did not start another cycle").isEqualTo(lastRun);
    assertThat(h.count("SELECT count(*) FROM jobs")).isZero();
  }

  /** Waits until the scheduler has recorded task (its first tick checks auto_sync first, then cleanup). */
  private void awaitTask(String task) {
    Harness.await(task + " recorded", () -> h.count("SELECT count(*) FROM scheduler_runs WHERE task = $1", task) > 0);
  }
}
