package org.calsync.scheduler;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.function.Supplier;
import org.calsync.bus.Addresses;
import org.calsync.config.CalsyncConfig;
import org.calsync.db.JobQueue;
import org.calsync.db.LeaderLock;
import org.calsync.metrics.Recoveries;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the scheduled tasks in exactly one process: the holder of a PostgreSQL session advisory lock (on a dedicated
 * connection; if it drops, another process takes over). Tasks and their last runs live in scheduler_runs, so restarts
 * and fail-overs neither skip nor repeat a run:
 * auto_sync every sync.intervalMinutes (jobs staggered over 90% of the interval when sync.stagger),
 * cleanup daily at scheduler.cleanupAt, token_health weekly at scheduler.tokenHealthDay/tokenHealthAt.
 * Publishes {@link Addresses#CYCLE_STARTED}.
 */
public final class SchedulerVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(SchedulerVerticle.class);
  static final long LEADER_LOCK = 0x6361_6c73_0002L;
  private static final long TICK_MS = 2000;

  private final CalsyncConfig config;
  private final Pool pool;
  private SchedulerTasks tasks;
  private LeaderLock leaderLock;
  private boolean busy;
  private long cycle;

  public SchedulerVerticle(CalsyncConfig config, Pool pool) {
    this.config = config;
    this.pool = pool;
  }

  @Override
  public Future<?> start() {
    tasks = new SchedulerTasks(vertx, config, pool);
    leaderLock = new LeaderLock(vertx, config.db(), LEADER_LOCK, "scheduler");
    vertx.setPeriodic(TICK_MS, id -> tick());
    vertx.setTimer(1, id -> tick());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    return leaderLock == null ? Future.succeededFuture() : leaderLock.close();
  }

  public boolean leader() {
    return leaderLock != null && leaderLock.held();
  }

  private void tick() {
    if (busy) return;
    busy = true;
    ensureLeader()
        .compose(isLeader -> isLeader ? runDue() : Future.succeededFuture())
        .onComplete(ar -> {
          busy = false;
          if (ar.failed()) {
            Recoveries.count(Recoveries.Kind.DATABASE);
            log.atWarn().setMessage("scheduler tick failed").addKeyValue("error", ar.cause().getMessage()).log();
          }
        });
  }

  private Future<Boolean> ensureLeader() {
    return leaderLock.ensure();
  }

  private Future<Void> runDue() {
    Instant now = Instant.now();
    long intervalMs = config.sync().intervalMinutes() * 60_000L;
    return runIfDue("auto_sync", last -> Schedule.autoSyncDue(last, now, intervalMs), () -> {
      long window = Schedule.staggerWindowMillis(config.sync().intervalMinutes(), config.sync().stagger());
      return tasks.dispatchCycle(null, window, JobQueue.PRIORITY_SCHEDULED).map(n -> {
        vertx.eventBus().publish(Addresses.CYCLE_STARTED, new JsonObject().put("cycle", ++cycle).put("enqueued", n)
            .put("windowSeconds", window / 1000).put("at", now.toString()));
        return new JsonObject().put("enqueued", n).put("startedAt", now.toString()).put("windowSeconds", window / 1000);
      });
    }).compose(v -> runIfDue("cleanup", last -> Schedule.due(last,
        Schedule.lastDaily(now, config.scheduler().zone(), config.scheduler().cleanupAt())), tasks::cleanup))
      .compose(v -> runIfDue("token_health", last -> Schedule.due(last, Schedule.lastWeekly(now,
        config.scheduler().zone(), config.scheduler().tokenHealthDay(), config.scheduler().tokenHealthAt())), tasks::tokenHealth));
  }

  /** A task that never ran is recorded as run now (auto_sync runs at once): daily/weekly tasks wait for their time. */
  private Future<Void> runIfDue(String task, java.util.function.Predicate<Instant> due, Supplier<Future<JsonObject>> body) {
    return pool.preparedQuery("SELECT last_run_at FROM scheduler_runs WHERE task = $1").execute(Tuple.of(task)).compose(rs -> {
      Instant last = rs.size() == 0 ? null : rs.iterator().next().getOffsetDateTime(0).toInstant();
      if (!due.test(last)) {
        return last == null ? record(task, new JsonObject().put("firstSeen", true)) : Future.succeededFuture();
      }
      return body.get().compose(detail -> record(task, detail));
    });
  }

  private Future<Void> record(String task, JsonObject detail) {
    return pool.preparedQuery("INSERT INTO scheduler_runs (task, last_run_at, detail) VALUES ($1, now(), $2) "
            + "ON CONFLICT (task) DO UPDATE SET last_run_at = now(), detail = EXCLUDED.detail")
        .execute(Tuple.of(task, detail)).mapEmpty();
  }

}
