package org.calsync.sync;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.lang.management.ManagementFactory;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.calsync.booking.BusyBlocks;
import org.calsync.bus.Addresses;
import org.calsync.bus.FailureCode;
import org.calsync.config.CalsyncConfig;
import org.calsync.config.SyncConfig;
import org.calsync.db.Integrations;
import org.calsync.db.JobQueue;
import org.calsync.db.JobQueue.Job;
import org.calsync.google.CalendarClient;
import org.calsync.google.GoogleApiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sync worker pool: claims due jobs from PostgreSQL (up to sync.maxConcurrent in flight), syncs, and settles each
 * job: done, retried with backoff, deferred (quotaExceeded), dropped (needs reconnect) or moved to failed_jobs after
 * sync.maxAttempts. Wakes on {@link Addresses#JOBS_AVAILABLE} and polls every sync.pollMs. Publishes
 * {@link Addresses#SYNC_COMPLETED}. On stop it takes no new job, lets in-flight ones finish for a bounded time and
 * releases the rest.
 */
public final class SyncWorkerVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(SyncWorkerVerticle.class);
  private static final long QUOTA_DEFER_MILLIS = 4 * 3600_000L;
  private static final long STOP_GRACE_MILLIS = 20_000;

  private final CalsyncConfig config;
  private final Pool pool;
  private final MeterRegistry registry;
  private final String workerId;
  private SyncConfig sync;
  private JobQueue queue;
  private Integrations integrations;
  private CalendarClient client;
  private CalendarSync calendarSync;
  private SettleBatch settleBatch;
  private SyncMetrics metrics;
  private int inFlight;
  private boolean claiming;
  private boolean again;
  private boolean stopping;
  private Promise<Void> drained;

  public SyncWorkerVerticle(CalsyncConfig config, Pool pool, MeterRegistry registry) {
    this.config = config;
    this.pool = pool;
    this.registry = registry;
    this.workerId = ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID().toString().substring(0, 8);
  }

  @Override
  public Future<?> start() {
    sync = config.sync();
    queue = new JobQueue(pool);
    integrations = new Integrations(pool);
    client = new CalendarClient(vertx, config.google(), Math.max(sync.maxConcurrent(), 16));
    metrics = new SyncMetrics(registry);
    settleBatch = new SettleBatch(vertx, queue, workerId);
    GoogleThrottle throttle = new GoogleThrottle(vertx, sync.maxConcurrent(), sync.projectRequestsPerMinute());
    calendarSync = new CalendarSync(vertx, pool, client, sync, throttle, RetryPolicy.defaults(), metrics,
        new BusyBlocks(config.booking()));
    vertx.setPeriodic(sync.pollMs(), id -> claim());
    vertx.setPeriodic(sync.leaseSeconds() * 1000L / 3, id -> {
      if (inFlight > 0) queue.renew(workerId, sync.leaseSeconds()).onFailure(e -> log.warn("lease renewal failed: {}", e.getMessage()));
    });
    vertx.setTimer(1, id -> claim());
    return vertx.eventBus().consumer(Addresses.JOBS_AVAILABLE, m -> claim()).completion();
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    Future<Void> wait = Future.succeededFuture();
    if (inFlight > 0) {
      drained = Promise.promise();
      log.info("stopping: waiting for {} in-flight syncs", inFlight);
      wait = Future.any(drained.future(), vertx.timer(STOP_GRACE_MILLIS)).mapEmpty();
    }
    return wait.compose(v -> queue.releaseAll(workerId))
        .onSuccess(n -> { if (n > 0) log.info("released {} jobs for other workers", n); })
        .recover(e -> Future.succeededFuture(0))
        .onComplete(ar -> client.close());
  }

  public String workerId() {
    return workerId;
  }

  private void claim() {
    if (stopping) return;
    if (claiming) {
      again = true;
      return;
    }
    int room = sync.maxConcurrent() - inFlight;
    if (room <= 0) return;
    claiming = true;
    queue.claim(workerId, Math.min(room, 200), sync.leaseSeconds()).onComplete(ar -> {
      claiming = false;
      if (ar.failed()) {
        log.warn("claiming jobs failed: {}", ar.cause().getMessage());
        return;
      }
      for (Job job : ar.result()) run(job);
      if (again || (!ar.result().isEmpty() && ar.result().size() == Math.min(room, 200))) {
        again = false;
        claim();
      }
    });
  }

  private void run(Job job) {
    inFlight++;
    long started = System.currentTimeMillis();
    boolean allowMassDelete = Boolean.TRUE.equals(job.payload().getValue("allowMassDelete"));
    log.debug("starting automatic sync integration={} job={} attempt={}", job.integrationId(), job.id(), job.attempts());
    java.util.Map<String, Integer> calls = new java.util.TreeMap<>();
    calendarSync.sync(job.integrationId(), allowMassDelete, calls, job.calendars())
        .transform(ar -> settle(job, ar.succeeded() ? ar.result() : null, ar.cause(), System.currentTimeMillis() - started, calls))
        .onComplete(ar -> {
          if (ar.failed()) log.error("settling job {} failed (it will be claimed again when its lease ends): {}", job.id(), ar.cause().getMessage());
          inFlight--;
          if (stopping && inFlight == 0 && drained != null) drained.tryComplete();
          claim();
        });
  }

  private Future<Void> settle(Job job, SyncResult result, Throwable err, long millis, java.util.Map<String, Integer> calls) {
    long id = job.integrationId();
    JsonObject event = new JsonObject().put("integrationId", id).put("durationMs", millis).put("jobId", job.id())
        .put("startedAt", System.currentTimeMillis() - millis).put("worker", workerId);
    Future<Void> done;
    String outcome;
    if (err == null) {
      outcome = "synced";
      event.mergeIn(result.toJson()).put("changed", result.changed());
      log.atInfo().setMessage("sync completed").addKeyValue("integration", id).addKeyValue("upserted", result.upserted())
          .addKeyValue("deleted", result.deleted()).addKeyValue("fullSync", result.fullSync())
          .addKeyValue("pages", result.pages()).addKeyValue("durationMs", millis).log();
      done = settleBatch.add(new JobQueue.Done(job.id(), id, result.toJson().put("durationMs", millis), result.pendingTokens()));
    } else if (err instanceof ReplyException re && re.failureCode() == FailureCode.NEEDS_RECONNECT) {
      outcome = "needs_reconnect";
      log.warn("sync stopped integration={}: {}", id, re.getMessage());
      done = queue.drop(job, workerId);
    } else if (err instanceof GoogleApiException g && g.kind() == GoogleApiException.Kind.QUOTA) {
      outcome = "deferred";
      OffsetDateTime until = OffsetDateTime.now().plusNanos(QUOTA_DEFER_MILLIS * 1_000_000);
      log.warn("sync deferred integration={} until={}: {}", id, until, g.getMessage());
      done = integrations.defer(id, until).compose(v -> queue.retry(job, workerId, QUOTA_DEFER_MILLIS, g.getMessage(), false));
    } else if (retryable(err) && job.attempts() < sync.maxAttempts()) {
      outcome = "retry";
      long delay = jobBackoffMillis(sync.retryBaseSeconds() * 1000L, job.attempts());
      log.atWarn().setMessage("sync failed, will retry").addKeyValue("integration", id).addKeyValue("attempt", job.attempts())
          .addKeyValue("maxAttempts", sync.maxAttempts()).addKeyValue("retryInMs", delay).addKeyValue("error", err.getMessage()).log();
      done = queue.retry(job, workerId, delay, err.getMessage(), true);
    } else {
      outcome = err instanceof MassDeletionRefused ? "refused" : "failed";
      log.atError().setMessage("sync failed").addKeyValue("integration", id).addKeyValue("attempts", job.attempts())
          .addKeyValue("outcome", outcome).addKeyValue("error", err.getMessage()).log();
      done = integrations.recordSync(id, outcome, new JsonObject().put("error", err.getMessage()))
          .compose(v -> queue.fail(job, workerId, errorClass(err), String.valueOf(err.getMessage())));
    }
    if (err != null) event.put("error", err.getMessage()).put("changed", 0);
    event.put("outcome", outcome);
    metrics.sync(outcome, millis, result == null ? 0 : result.changed());
    return done.onSuccess(v -> {
      vertx.eventBus().publish(Addresses.SYNC_COMPLETED, event);
      vertx.eventBus().send(Addresses.AUDIT_RECORD, new JsonObject().put("actor", "sync").put("action", "sync." + outcome)
          .put("integrationId", id).put("detail", event.copy().put("attempt", job.attempts())
              .put("googleCallsByStatus", new JsonObject(new java.util.TreeMap<String, Object>(calls)))));
    });
  }

  static boolean retryable(Throwable err) {
    if (err instanceof GoogleApiException g) return g.retryable() || g.kind() == GoogleApiException.Kind.MALFORMED
        || g.kind() == GoogleApiException.Kind.AUTH;
    if (err instanceof ReplyException re) return re.failureCode() == FailureCode.UNAVAILABLE || re.failureCode() == -1;
    return !(err instanceof MassDeletionRefused);
  }

  static String errorClass(Throwable err) {
    if (err instanceof GoogleApiException g) return "google." + g.kind().name().toLowerCase() + (g.reason().isEmpty() ? "" : "." + g.reason());
    if (err instanceof ReplyException re) return "bus." + re.failureCode();
    return err.getClass().getSimpleName();
  }

  static long jobBackoffMillis(long baseMillis, int attempt) {
    return Math.min(15 * 60_000L, baseMillis << Math.max(0, attempt - 1));
  }
}
