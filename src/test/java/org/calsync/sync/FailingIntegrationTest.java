package org.calsync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.calsync.App;
import org.calsync.bus.Addresses;
import org.calsync.db.JobQueue;
import org.calsync.support.Cli;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * An integration Google refuses every cycle (403 forbidden) keeps one failed_jobs row per error class, counted, and is
 * shown as failing in status and metrics until a sync succeeds (with one sync.failing notice); failed list / failed
 * retry keep working. A worker that lost the job while Google refused it (forbidden, quotaExceeded) records and
 * defers nothing, and its run is neither published nor audited; nor is a successful run whose job was taken over.
 */
@ExtendWith(HarnessExtension.class)
class FailingIntegrationTest {
  private Harness h;
  private ListingProxy proxy;
  private final List<JsonObject> completed = new ArrayList<>();
  private final ListAppender<ILoggingEvent> workerLog = new ListAppender<>();

  @BeforeEach
  void setUp(Harness harness) {
    proxy = ListingProxy.start(harness.vertx, harness.emulator.baseUrl());
    h = harness.configure(new JsonObject().put("google", new JsonObject().put("apiBaseUrl", proxy.apiBaseUrl())));
    h.start(new App.Parts(true, false, true));
    h.vertx.eventBus().<JsonObject>consumer(Addresses.SYNC_COMPLETED, m -> {
      synchronized (completed) {
        completed.add(m.body());
      }
    }).completion().await();
    workerLog.start();
    ((Logger) LoggerFactory.getLogger(SyncWorkerVerticle.class)).addAppender(workerLog);
  }

  @AfterEach
  void tearDown() {
    ((Logger) LoggerFactory.getLogger(SyncWorkerVerticle.class)).detachAppender(workerLog);
    if (proxy != null) proxy.close();
  }

  @Test
  void aFailureOfAWorkerThatLostTheJobRecordsNothing() {
    long id = h.connectSeeded(1, 4).values().iterator().next();
    refusedAfterATakeOver(id, "forbidden");

    assertThat(h.query("SELECT last_sync_status FROM user_integrations WHERE id = $1", id).get(0).getString(0))
        .as("no status written by a worker that no longer holds the job").isNull();
    assertThat(h.count("SELECT count(*) FROM failed_jobs")).isZero();
    assertThat(h.count("SELECT count(*) FROM jobs WHERE locked_by = 'other'")).isEqualTo(1);

    // the holder's failure is recorded
    handBack();
    h.awaitQueueDrained(30);

    assertThat(h.query("SELECT last_sync_status FROM user_integrations WHERE id = $1", id).get(0).getString(0)).isEqualTo("failed");
    assertThat(h.count("SELECT count(*) FROM failed_jobs")).isEqualTo(1);
  }

  @Test
  void aQuotaDeferralOfAWorkerThatLostTheJobDefersNothing() {
    long id = h.connectSeeded(1, 4).values().iterator().next();
    refusedAfterATakeOver(id, "quotaExceeded");

    assertThat(h.query("SELECT deferred_until FROM user_integrations WHERE id = $1", id).get(0).getValue(0))
        .as("no deferral by a worker that no longer holds the job").isNull();
    assertThat(h.count("SELECT count(*) FROM jobs WHERE locked_by = 'other'")).isEqualTo(1);

    // the holder's deferral is recorded
    handBack();
    Harness.await("the holder's deferral", () -> h.count("SELECT count(*) FROM user_integrations WHERE id = $1 "
        + "AND deferred_until > now() + interval '3 hours'", id) == 1);
    assertThat(h.count("SELECT count(*) FROM jobs WHERE locked_by IS NULL AND available_at > now() + interval '3 hours'"))
        .isEqualTo(1);
  }

  @Test
  void aRunWhoseJobWasTakenOverIsNeitherPublishedNorAudited() {
    long id = h.connectSeeded(1, 4).values().iterator().next();
    refusedAfterATakeOver(id, "forbidden");

    assertThat(outcomes(completed)).as("no completion event of the run whose job was taken over").isEmpty();
    assertThat(logged(Level.WARN, "job taken over by another worker; this run's outcome discarded")).hasSize(1);
    assertThat(logged(Level.ERROR, "sync failed")).isEmpty();

    handBack();
    Harness.await("the holder's completion event and audit record", () -> !outcomes(completed).isEmpty()
        && h.count("SELECT count(*) FROM audit_log WHERE integration_id = $1 AND action = 'sync.failed'", id) > 0);

    assertThat(outcomes(completed)).as("the holder's run only").containsExactly("failed");
    assertThat(h.count("SELECT count(*) FROM audit_log WHERE integration_id = $1 AND action LIKE 'sync.%'", id))
        .as("the holder's run only").isEqualTo(1);
    assertThat(logged(Level.ERROR, "sync failed")).hasSize(1);
  }

  /** A successful run is settled in a batch; one whose job was taken over meanwhile is discarded like any other. */
  @Test
  void aSuccessfulRunWhoseJobWasTakenOverIsNeitherPublishedNorAudited() {
    long id = h.connectSeeded(1, 4).values().iterator().next();
    h.runCycle();
    synchronized (completed) {
      completed.clear();
    }
    String audits = "SELECT count(*) FROM audit_log WHERE integration_id = $1 AND action LIKE 'sync.%'";
    // audit records are written in batches after the sync: the first cycle's one is counted once it is in
    Harness.await("the first cycle's audit record", () -> h.count(audits, id) == 1);
    boolean[] takenOver = {false};
    proxy.beforeListing = () -> {
      if (takenOver[0]) return Future.succeededFuture();
      takenOver[0] = true;
      return h.pool().query("UPDATE jobs SET locked_by = 'other', locked_until = now() + interval '1 hour'").execute();
    };

    new JobQueue(h.pool()).enqueue(id, JobQueue.PRIORITY_MANUAL, OffsetDateTime.now()).await();
    Harness.await("the worker's run ended", () -> !outcomes(completed).isEmpty()
        || !logged(Level.WARN, "job taken over by another worker; this run's outcome discarded").isEmpty());

    assertThat(outcomes(completed)).as("no completion event of the run whose job was taken over").isEmpty();
    assertThat(logged(Level.WARN, "job taken over by another worker; this run's outcome discarded")).hasSize(1);
    assertThat(h.count("SELECT count(*) FROM jobs WHERE locked_by = 'other'")).isEqualTo(1);

    handBack();
    Harness.await("the holder's completion event", () -> !outcomes(completed).isEmpty());
    assertThat(outcomes(completed)).containsExactly("synced");
    Harness.await("the holder's audit record", () -> h.count(audits, id) >= 2);
    // the discarded run's record, had there been one, was sent before the holder's and is in by now
    assertThat(h.count(audits, id)).as("the first cycle's and the holder's only").isEqualTo(2);
  }

  private List<ILoggingEvent> logged(Level level, String message) {
    List<ILoggingEvent> events;
    synchronized (workerLog) { // appends hold the appender's lock
      events = List.copyOf(workerLog.list);
    }
    return events.stream().filter(e -> e.getLevel() == level && e.getMessage().equals(message)).toList();
  }

  /**
   * Runs a manual sync of the integration whose listings Google refuses with reason; while the worker waits for the
   * refusal, another worker ('other') takes the job over (as after a lapsed lease). Returns once the worker's run
   * ended (its outcome discarded, or published).
   */
  private void refusedAfterATakeOver(long id, String reason) {
    boolean[] takenOver = {false};
    proxy.beforeForbidding = () -> {
      if (takenOver[0]) return Future.succeededFuture();
      takenOver[0] = true;
      return h.pool().query("UPDATE jobs SET locked_by = 'other', locked_until = now() + interval '1 hour'").execute();
    };
    proxy.forbiddenReason = reason;
    proxy.forbid = uri -> true;

    new JobQueue(h.pool()).enqueue(id, JobQueue.PRIORITY_MANUAL, OffsetDateTime.now()).await();
    Harness.await("the worker's run ended", () -> !outcomes(completed).isEmpty()
        || !logged(Level.WARN, "job taken over by another worker; this run's outcome discarded").isEmpty());
  }

  /** The job is free again, for the worker to claim as its holder. */
  private void handBack() {
    h.query("UPDATE jobs SET locked_by = NULL, locked_until = NULL");
    h.vertx.eventBus().publish(Addresses.JOBS_AVAILABLE, null);
  }

  private static List<String> outcomes(List<JsonObject> completed) {
    synchronized (completed) {
      return completed.stream().map(e -> e.getString("outcome")).toList();
    }
  }

  @Test
  void anIntegrationThatKeepsFailingHasOneCountedFailureAndIsSurfacedUntilItSyncs() {
    Map<String, Long> ids = h.connectSeeded(2, 4);
    String refused = ids.keySet().stream().sorted().findFirst().orElseThrow();
    long id = ids.get(refused);
    h.runCycle();
    proxy.forbid = uri -> uri.contains("/calendars/" + refused + "/events");

    for (int cycle = 0; cycle < 3; cycle++) h.runCycle();

    var failed = h.query("SELECT integration_id, error_class, occurrences, first_failed_at < failed_at FROM failed_jobs");
    assertThat(failed).as("one row, counted").hasSize(1);
    assertThat(failed.get(0).getLong(0)).isEqualTo(id);
    assertThat(failed.get(0).getString(1)).isEqualTo("google.permanent.forbidden");
    assertThat(failed.get(0).getInteger(2)).isEqualTo(3);
    assertThat(failed.get(0).getBoolean(3)).as("first and last seen").isTrue();
    var failingNotices = h.query("SELECT integration_id, payload->>'errorClass' FROM notices WHERE type = 'sync.failing'");
    assertThat(failingNotices).as("one sync.failing notice per failing period").hasSize(1);
    assertThat(failingNotices.get(0).getLong(0)).isEqualTo(id);
    assertThat(failingNotices.get(0).getString(1)).isEqualTo("google.permanent.forbidden");

    JsonObject failing = status().getJsonObject("failing");
    assertThat(failing.getLong("count")).isEqualTo(1);
    JsonObject entry = failing.getJsonArray("integrations").getJsonObject(0);
    assertThat(entry.getLong("integrationId")).isEqualTo(id);
    assertThat(entry.getString("errorClass")).isEqualTo("google.permanent.forbidden");
    assertThat(entry.getInteger("occurrences")).isEqualTo(3);
    assertThat(entry.getString("failingSince")).isNotNull();
    Harness.eventually(() -> assertThat(metric("calsync_integrations_failing")).isEqualTo(1.0));
    Cli.Run list = cli("failed", "list");
    assertThat(list.out()).contains("1 failed jobs").contains("google.permanent.forbidden");

    proxy.forbid = null;
    Cli.Run retry = cli("failed", "retry", "all");
    assertThat(retry.out()).contains("requeued 1 failed jobs");
    h.awaitQueueDrained(30);

    assertThat(h.mirrored(refused)).isEqualTo(h.truth(refused));
    assertThat(status().getJsonObject("failing").getLong("count")).as("no longer failing").isZero();
    Harness.eventually(() -> assertThat(metric("calsync_integrations_failing")).isZero());
    assertThat(cli("failed", "list").out()).contains("0 failed jobs");
  }

  /** Runs a CLI command (its options after its words) against this harness's database. */
  private Cli.Run cli(String... args) {
    Path config = Cli.configFile(h, new JsonObject());
    List<String> full = new ArrayList<>(List.of(args));
    full.addAll(List.of("-c", config.toString()));
    Cli.Run run = Cli.run(null, full.toArray(new String[0]));
    assertThat(run.exit()).as(run.out()).isZero();
    return run;
  }

  /** status --json (exit 1 while an integration keeps failing). */
  private JsonObject status() {
    Cli.Run run = Cli.run(null, "status", "--json", "-c", Cli.configFile(h, new JsonObject()).toString());
    JsonObject s = run.json();
    assertThat(run.exit()).as(run.out()).isEqualTo(s.getJsonObject("failing").getLong("count") > 0 ? 1 : 0);
    return s;
  }

  private double metric(String name) {
    WebClient web = WebClient.create(h.vertx);
    try {
      String scrape = web.get(h.app.httpPort(), "127.0.0.1", "/metrics").send().await().bodyAsString();
      return scrape.lines().filter(l -> l.startsWith(name + " ")).mapToDouble(l -> Double.parseDouble(l.substring(name.length() + 1)))
          .findFirst().orElseThrow(() -> new AssertionError(name + " not in /metrics"));
    } finally {
      web.close();
    }
  }
}
