package org.calsync.scheduler;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.calsync.audit.AuditEvent;
import org.calsync.audit.AuditLog;
import org.calsync.bus.Addresses;
import org.calsync.bus.FailureCode;
import org.calsync.bus.Requests.TokenGet;
import org.calsync.config.CalsyncConfig;
import org.calsync.db.Integrations;
import org.calsync.db.JobQueue;
import org.calsync.db.Retention;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The scheduled tasks, callable by the scheduler and by CLI commands alike. */
public final class SchedulerTasks {
  private static final Logger log = LoggerFactory.getLogger(SchedulerTasks.class);
  private final Vertx vertx;
  private final CalsyncConfig config;
  private final Integrations integrations;
  private final JobQueue queue;
  private final Pool pool;

  public SchedulerTasks(Vertx vertx, CalsyncConfig config, Pool pool) {
    this.vertx = vertx;
    this.config = config;
    this.pool = pool;
    this.integrations = new Integrations(pool);
    this.queue = new JobQueue(pool);
  }

  /**
   * Enqueues a sync job for every active integration (of one user if userId is set), spread over windowMillis.
   * Returns how many were enqueued.
   */
  public Future<Integer> dispatchCycle(Long userId, long windowMillis, int priority) {
    return integrations.activeIds(userId).compose(ids -> {
      OffsetDateTime now = OffsetDateTime.now();
      List<OffsetDateTime> at = new ArrayList<>(ids.size());
      double step = ids.isEmpty() ? 0 : (double) windowMillis / ids.size();
      for (int i = 0; i < ids.size(); i++) at.add(now.plusNanos((long) (i * step) * 1_000_000L));
      Future<Void> chain = Future.succeededFuture();
      for (int from = 0; from < ids.size(); from += 5000) {
        int f = from;
        int t = Math.min(ids.size(), from + 5000);
        chain = chain.compose(v -> queue.enqueueAll(ids.subList(f, t), at.subList(f, t), priority));
      }
      return chain.map(v -> {
        log.atInfo().setMessage("starting automatic sync").addKeyValue("integrations", ids.size())
            .addKeyValue("windowSeconds", windowMillis / 1000).log();
        vertx.eventBus().publish(Addresses.JOBS_AVAILABLE, new JsonObject());
        audit("scheduler.cycle", new JsonObject().put("enqueued", ids.size()).put("windowSeconds", windowMillis / 1000));
        return ids.size();
      });
    });
  }

  /**
   * The daily cleanup: failed jobs past scheduler.failedJobRetentionDays, past appointments
   * (appointmentRetentionDays), their conflict reports (conflictReportRetentionDays), mirror rows that only describe
   * the past (mirrorRetentionDays; see db.Retention), connect links expired a week ago, and audit records past the
   * owner's retention. Each in batches.
   */
  public Future<JsonObject> cleanup() {
    var s = config.scheduler();
    Retention retention = new Retention(pool);
    JsonObject r = new JsonObject();
    return queue.cleanupFailed(s.failedJobRetentionDays()).map(n -> r.put("failedJobsDeleted", n))
        .compose(x -> retention.pastAppointments(s.appointmentRetentionDays())).map(n -> r.put("appointmentsDeleted", n))
        .compose(x -> retention.conflictReports(s.conflictReportRetentionDays())).map(n -> r.put("conflictReportsDeleted", n))
        .compose(x -> retention.pastMirrorRows(s.mirrorRetentionDays()))
        .map(n -> r.put("cancelledEventsDeleted", n[0]).put("busyBlocksDeleted", n[1]))
        .compose(x -> retention.expiredConnectLinks()).map(n -> r.put("connectLinksDeleted", n))
        .compose(x -> new AuditLog(pool).purge()).map(n -> r.put("auditRecordsPurged", n))
        .compose(x -> retention.notices(config.notices().retentionDays())).map(n -> r.put("noticesDeleted", n))
        .onSuccess(x -> {
          var line = log.atInfo().setMessage("cleanup done");
          r.forEach(e -> line.addKeyValue(e.getKey(), e.getValue()));
          line.log();
          audit("scheduler.cleanup", r);
        });
  }

  /**
   * Verifies every active integration's refresh token by refreshing it (through the token verticle, 8 at a time).
   * Integrations whose grant is gone become needs_reconnect and are notified once by the token verticle.
   */
  public Future<JsonObject> tokenHealth() {
    return integrations.activeIds(null).compose(ids -> {
      AtomicInteger ok = new AtomicInteger();
      AtomicInteger reconnect = new AtomicInteger();
      AtomicInteger errors = new AtomicInteger();
      Promise<Void> done = Promise.promise();
      AtomicInteger next = new AtomicInteger();
      AtomicInteger running = new AtomicInteger();
      Runnable[] pump = new Runnable[1];
      pump[0] = () -> {
        while (running.get() < 8 && next.get() < ids.size()) {
          long id = ids.get(next.getAndIncrement());
          running.incrementAndGet();
          vertx.eventBus().request(Addresses.TOKEN_GET, new TokenGet(id, true, true, false).toJson(), TokenGet.DELIVERY)
              .onComplete(ar -> {
                if (ar.succeeded()) ok.incrementAndGet();
                else if (ar.cause() instanceof ReplyException re && re.failureCode() == FailureCode.NEEDS_RECONNECT) reconnect.incrementAndGet();
                else errors.incrementAndGet();
                running.decrementAndGet();
                pump[0].run();
              });
        }
        if (running.get() == 0 && next.get() >= ids.size()) done.tryComplete();
      };
      pump[0].run();
      return done.future().map(v -> new JsonObject().put("checked", ids.size()).put("healthy", ok.get())
          .put("needsReconnect", reconnect.get()).put("errors", errors.get()));
    }).onSuccess(r -> {
      log.atInfo().setMessage("token health checked").addKeyValue("checked", r.getInteger("checked"))
          .addKeyValue("healthy", r.getInteger("healthy")).addKeyValue("needsReconnect", r.getInteger("needsReconnect"))
          .addKeyValue("errors", r.getInteger("errors")).log();
      audit("scheduler.token_health", r);
    });
  }

  private void audit(String action, JsonObject detail) {
    new AuditEvent("scheduler", action, null, detail.copy().put("at", Instant.now().toString())).send(vertx.eventBus());
  }
}
