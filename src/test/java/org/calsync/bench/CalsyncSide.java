package org.calsync.bench;

import io.vertx.core.Future;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.calsync.App;
import org.calsync.VertxRuntime;
import org.calsync.bus.Addresses;
import org.calsync.config.CalsyncConfig;
import org.calsync.db.JobQueue;
import org.calsync.emulator.SeededUser;
import org.calsync.scheduler.SchedulerTasks;
import org.calsync.token.Connections;
import org.calsync.token.CredentialCipher;

/**
 * calsync as the daemon runs it: App with the sync workers (scheduler and ops off) on its own Vertx; a cycle is
 * SchedulerTasks.dispatchCycle(...) at the scheduler's priority (as the daemon's periodic cycle: calendarList is skipped
 * within sync.calendarListMinutes), finished when the jobs table is empty.
 */
final class CalsyncSide implements AutoCloseable {
  /** What one cycle did, from calsync.sync.completed events. */
  record Cycle(int enqueued, long synced, long failed, long changedEvents, long upserted) {
  }

  private final VertxRuntime runtime = VertxRuntime.create();
  private final CalsyncConfig config;
  private final CredentialCipher cipher = CredentialCipher.ephemeral();
  private final App app;
  private final AtomicLong synced = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong changed = new AtomicLong();
  private final AtomicLong upserted = new AtomicLong();
  private final MessageConsumer<JsonObject> consumer;

  /** maxFullSyncs null: the daemon's default. */
  CalsyncSide(String dbUrl, String emulatorUrl, int poolSize, int maxConcurrent, int pageSize, Integer maxFullSyncs,
              int requestsPerMinute) {
    this(dbUrl, emulatorUrl, poolSize, maxConcurrent, pageSize, maxFullSyncs, requestsPerMinute, null);
  }

  /** calendarListMinutes null: the daemon's default (sync.calendarListMinutes). */
  CalsyncSide(String dbUrl, String emulatorUrl, int poolSize, int maxConcurrent, int pageSize, Integer maxFullSyncs,
              int requestsPerMinute, Integer calendarListMinutes) {
    config = CalsyncConfig.fromJson(new JsonObject()
        .put("db", new JsonObject().put("url", dbUrl).put("poolSize", poolSize))
        .put("google", new JsonObject().put("apiBaseUrl", emulatorUrl + "/calendar/v3")
            .put("tokenUrl", emulatorUrl + "/token").put("revokeUrl", emulatorUrl + "/revoke")
            .put("clientId", "calsync-local").put("clientSecret", "calsync-local-secret").put("maxConnections", maxConcurrent))
        .put("sync", new JsonObject().put("maxConcurrent", maxConcurrent).put("pageSize", pageSize)
            .put("projectRequestsPerMinute", requestsPerMinute).put("stagger", false)
            .mergeIn(maxFullSyncs == null ? new JsonObject() : new JsonObject().put("maxFullSyncs", maxFullSyncs))
            .mergeIn(calendarListMinutes == null ? new JsonObject()
                : new JsonObject().put("calendarListMinutes", calendarListMinutes)))
        .put("scheduler", new JsonObject().put("enabled", false))
        .put("http", new JsonObject().put("port", 0)));
    app = App.start(runtime.vertx(), config, cipher, runtime.registry(), new App.Parts(true, false, false)).await();
    consumer = runtime.vertx().eventBus().consumer(Addresses.SYNC_COMPLETED, m -> {
      JsonObject b = m.body();
      if ("synced".equals(b.getString("outcome"))) {
        synced.incrementAndGet();
        changed.addAndGet(b.getLong("changed", 0L));
        upserted.addAndGet(b.getLong("upserted", 0L));
      } else if (!"retry".equals(b.getString("outcome"))) {
        failed.incrementAndGet();
      }
    });
    consumer.completion().await();
  }

  /** Connects every user as an integration of userId (or of user i+1 when userId is null); returns the ids. */
  List<Long> connect(List<SeededUser> users, Long userId) {
    Connections c = new Connections(runtime.vertx(), app.pool(), cipher);
    List<Long> ids = new ArrayList<>(users.size());
    for (int i = 0; i < users.size(); i += 200) {
      List<Future<Long>> batch = new ArrayList<>();
      for (int j = i; j < Math.min(users.size(), i + 200); j++) {
        SeededUser u = users.get(j);
        batch.add(c.connect(userId != null ? userId : j + 1, u.email(), u.refreshToken()));
      }
      Future.all(batch).await();
      for (Future<Long> f : batch) ids.add(f.result());
    }
    return ids;
  }

  /**
   * One cycle over the active integrations (of userId when set), to an empty queue; after timeoutSeconds it returns
   * what was done so far, the jobs still queued counted as failed.
   */
  Cycle cycle(Long userId, long timeoutSeconds) {
    synced.set(0);
    failed.set(0);
    changed.set(0);
    upserted.set(0);
    int enqueued = new SchedulerTasks(runtime.vertx(), config, app.pool()).dispatchCycle(userId, 0, JobQueue.PRIORITY_SCHEDULED).await();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    while (true) {
      long left = count("SELECT count(*) FROM jobs");
      if (left == 0) break;
      if (System.nanoTime() > deadline) {
        return new Cycle(enqueued, synced.get(), failed.get() + left, changed.get(), upserted.get());
      }
      sleep(50);
    }
    // the completion event is published after the job row is deleted: let the last ones arrive
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (synced.get() + failed.get() < enqueued && System.nanoTime() < until) sleep(5);
    return new Cycle(enqueued, synced.get(), failed.get(), changed.get(), upserted.get());
  }

  /** Takes the user's integrations out of later cycles (warm-up integrations): they are no longer active. */
  void retire(long userId) {
    app.pool().preparedQuery("UPDATE user_integrations SET status = 'needs_reconnect' WHERE user_id = $1")
        .execute(io.vertx.sqlclient.Tuple.of(userId)).await();
  }

  long count(String sql) {
    Row r = app.pool().query(sql).execute().await().iterator().next();
    return r.getLong(0);
  }

  @Override
  public void close() {
    try {
      consumer.unregister().await(10, TimeUnit.SECONDS);
      app.close().await(60, TimeUnit.SECONDS);
      runtime.vertx().close().await(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("calsync did not stop in time", e);
    }
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
