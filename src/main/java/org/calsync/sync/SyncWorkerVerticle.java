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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.calsync.audit.AuditEvent;
import org.calsync.bus.Addresses;
import org.calsync.bus.FailureCode;
import org.calsync.config.CalsyncConfig;
import org.calsync.config.SyncConfig;
import org.calsync.db.JobQueue.Job;
import org.calsync.db.JobQueue;
import org.calsync.google.Google;
import org.calsync.google.GoogleApiException;
import org.calsync.metrics.Recoveries;
import org.calsync.mirror.BusyBlocks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sync worker pool: claims due jobs from PostgreSQL (up to sync.maxConcurrent in flight), syncs, and settles each
 * job: done, retried with backoff, deferred (quotaExceeded), dropped (needs reconnect) or moved to failed_jobs after
 * sync.maxAttempts. Wakes on {@link Addresses#JOBS_AVAILABLE} and polls every sync.pollMs. Publishes
 * {@link Addresses#SYNC_COMPLETED}. Leases are renewed for the jobs in flight only, and a claim never takes a job
 * this worker is still running. A run that ends rate limited retries later without counting an attempt. With an
 * integration filter (CLI commands) only those integrations' jobs are claimed. On stop it waits for a claim in
 * progress (releasing what it returns), takes no new job, lets in-flight ones finish for a bounded time and releases
 * the rest.
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
  private final Google google;
  private CalendarSync calendarSync;
  private SettleBatch settleBatch;
  private SyncMetrics metrics;
  private final CycleSummary summary = new CycleSummary(log);
  private final Set<Long> onlyIntegrations;
  private final Set<Long> inFlight = new HashSet<>();
  private Future<List<Job>> claiming;
  private boolean again;
  private boolean stopping;
  private Promise<Void> drained;

  public SyncWorkerVerticle(CalsyncConfig config, Pool pool, MeterRegistry registry, Google google) {
    this(config, pool, registry, google, null);
  }

  /** A worker that claims only jobs of the given integrations (null: any). */
  public SyncWorkerVerticle(CalsyncConfig config, Pool pool, MeterRegistry registry, Google google, Set<Long> onlyIntegrations) {
    this.config = config;
    this.pool = pool;
    this.registry = registry;
    this.google = google;
    this.onlyIntegrations = onlyIntegrations == null ? null : Set.copyOf(onlyIntegrations);
    this.workerId = ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID().toString().substring(0, 8);
  }

  @Override
  public Future<?> start() {
    sync = config.sync();
    queue = new JobQueue(pool);
    metrics = new SyncMetrics(registry);
    settleBatch = new SettleBatch(vertx, queue, workerId);
    calendarSync = new CalendarSync(pool, google, sync, new BusyBlocks(vertx, config.booking()), workerId);
    vertx.setPeriodic(sync.pollMs(), id -> claim());
    vertx.setPeriodic(sync.leaseSeconds() * 1000L / 3, id -> {
      if (inFlight.isEmpty()) return;
      queue.renew(workerId, List.copyOf(inFlight), sync.leaseSeconds()).onFailure(e -> {
        Recoveries.count(Recoveries.Kind.DATABASE);
        log.atWarn().setMessage("lease renewal failed").addKeyValue("jobs", inFlight.size()).addKeyValue("error", e.getMessage()).log();
      });
    });
    vertx.setPeriodic(CycleSummary.MAX_RUN_MILLIS / 4, id -> summary.logIfEnded(false, System.currentTimeMillis()));
    vertx.setTimer(1, id -> claim());
    return vertx.eventBus().consumer(Addresses.JOBS_AVAILABLE, m -> claim()).completion();
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    if (claiming != null) log.atInfo().setMessage("stopping: waiting for the claim in progress").log();
    Future<Void> claimed = claiming == null ? Future.succeededFuture()
        : Future.any(claiming.transform(ar -> Future.succeededFuture()), vertx.timer(STOP_GRACE_MILLIS)).mapEmpty();
    return claimed.compose(v -> drain())
        .compose(v -> queue.releaseAll(workerId))
        .onSuccess(n -> {
          if (n > 0) log.atInfo().setMessage("released jobs for other workers").addKeyValue("jobs", n).log();
        })
        .recover(e -> Future.succeededFuture(0));
  }

  private Future<Void> drain() {
    if (inFlight.isEmpty()) return Future.succeededFuture();
    drained = Promise.promise();
    log.atInfo().setMessage("stopping: waiting for in-flight syncs").addKeyValue("jobs", inFlight.size()).log();
    return Future.any(drained.future(), vertx.timer(STOP_GRACE_MILLIS)).mapEmpty();
  }

  public String workerId() {
    return workerId;
  }

  private void claim() {
    if (stopping) return;
    if (claiming != null) {
      again = true;
      return;
    }
    int room = sync.maxConcurrent() - inFlight.size();
    if (room <= 0) return;
    claiming = queue.claim(workerId, Math.min(room, 200), sync.leaseSeconds(), List.copyOf(inFlight), onlyIntegrations);
    claiming.onComplete(ar -> {
      claiming = null;
      if (ar.failed()) {
        Recoveries.count(Recoveries.Kind.DATABASE);
        log.atWarn().setMessage("claiming jobs failed").addKeyValue("error", ar.cause().getMessage()).log();
        return;
      }
      if (stopping) {
        releaseUnstarted(ar.result());
        return;
      }
      for (Job job : ar.result()) run(job);
      if (inFlight.isEmpty()) summary.logIfEnded(true, System.currentTimeMillis());
      if (again || (!ar.result().isEmpty() && ar.result().size() == Math.min(room, 200))) {
        again = false;
        claim();
      }
    });
  }

  private void releaseUnstarted(List<Job> jobs) {
    if (jobs.isEmpty()) return;
    queue.release(workerId, jobs.stream().map(Job::id).toList()).onFailure(e -> log.atWarn()
        .setMessage("releasing jobs claimed while stopping failed (claimable when their lease ends)")
        .addKeyValue("jobs", jobs.size()).addKeyValue("error", e.getMessage()).log());
  }

  private void run(Job job) {
    inFlight.add(job.id());
    long started = System.currentTimeMillis();
    boolean allowMassDelete = Boolean.TRUE.equals(job.payload().getValue("allowMassDelete"));
    log.atDebug().setMessage("starting automatic sync").addKeyValue("integration", job.integrationId())
        .addKeyValue("job", job.id()).addKeyValue("attempt", job.attempts()).log();
    java.util.Map<String, Integer> calls = new java.util.TreeMap<>();
    calendarSync.sync(job.id(), job.integrationId(), allowMassDelete, calls, job.calendars(), job.calendarListToken(), job.active(),
            job.calendarCheckDue(sync.calendarListMinutes()))
        .transform(ar -> settle(job, ar.succeeded() ? ar.result() : null, ar.cause(), System.currentTimeMillis() - started, calls))
        .onComplete(ar -> {
          if (ar.failed()) {
            Recoveries.count(Recoveries.Kind.DATABASE);
            log.atWarn().setMessage("settling job failed (it will be claimed again when its lease ends)")
                .addKeyValue("integration", job.integrationId()).addKeyValue("job", job.id())
                .addKeyValue("error", ar.cause().getMessage()).log();
          }
          inFlight.remove(job.id());
          if (stopping && inFlight.isEmpty() && drained != null) drained.tryComplete();
          claim();
        });
  }

  /**
   * Settles the job as the run ended and reports the outcome (logs, {@link Addresses#SYNC_COMPLETED}, audit record),
   * only when this worker still held the job: a run whose job another worker took over is discarded (one WARN line).
   */
  private Future<Void> settle(Job job, SyncResult result, Throwable err, long millis, java.util.Map<String, Integer> calls) {
    long id = job.integrationId();
    JsonObject event = new JsonObject().put("integrationId", id).put("durationMs", millis).put("jobId", job.id())
        .put("startedAt", System.currentTimeMillis() - millis).put("worker", workerId);
    Future<Boolean> settled;
    String outcome;
    Runnable report;
    if (err == null) {
      outcome = "synced";
      event.mergeIn(result.toJson()).put("changed", result.changed());
      report = () -> log.atDebug().setMessage("sync completed").addKeyValue("integration", id).addKeyValue("upserted", result.upserted())
          .addKeyValue("deleted", result.deleted()).addKeyValue("fullSync", result.fullSync())
          .addKeyValue("pages", result.pages()).addKeyValue("durationMs", millis).log();
      settled = settleBatch.add(new JobQueue.Done(job.id(), id, result.toJson().put("durationMs", millis), result.pendingTokens(),
          result.calendarListToken(), result.listedFully(), result.calendarsChecked()));
    } else if (err instanceof JobQueue.LeaseLost) {
      // the job is another worker's now: nothing of this run was written, and nothing is settled
      outcome = "retry";
      report = () -> { };
      settled = Future.succeededFuture(false);
    } else if (err instanceof ReplyException re && re.failureCode() == FailureCode.NEEDS_RECONNECT) {
      outcome = "needs_reconnect";
      report = () -> log.atWarn().setMessage("sync stopped").addKeyValue("integration", id).addKeyValue("error", re.getMessage()).log();
      settled = queue.drop(job, workerId);
    } else if (err instanceof GoogleApiException g && g.kind() == GoogleApiException.Kind.QUOTA) {
      outcome = "deferred";
      OffsetDateTime until = OffsetDateTime.now().plusNanos(QUOTA_DEFER_MILLIS * 1_000_000);
      report = () -> log.atWarn().setMessage("sync deferred").addKeyValue("integration", id).addKeyValue("until", until.toString())
          .addKeyValue("error", g.getMessage()).log();
      settled = queue.defer(job, workerId, QUOTA_DEFER_MILLIS, g.getMessage());
    } else if (err instanceof GoogleApiException g && g.kind() == GoogleApiException.Kind.RATE_LIMIT) {
      outcome = "retry";
      long delay = JobDelays.rateLimitedJobMillis(sync.retryBaseSeconds() * 1000L, job.rateLimited(), ThreadLocalRandom.current());
      report = () -> {
        Recoveries.count(Recoveries.Kind.SYNC);
        log.atWarn().setMessage("sync rate limited, will retry without counting an attempt").addKeyValue("integration", id)
            .addKeyValue("rateLimitedRuns", job.rateLimited() + 1).addKeyValue("retryInMs", delay)
            .addKeyValue("error", g.getMessage()).log();
      };
      settled = queue.retryRateLimited(job, workerId, delay, g.getMessage());
    } else if (retryable(err) && job.attempts() < sync.maxAttempts()) {
      outcome = "retry";
      long delay = JobDelays.jobBackoffMillis(sync.retryBaseSeconds() * 1000L, job.attempts(), ThreadLocalRandom.current());
      report = () -> {
        Recoveries.count(Recoveries.Kind.SYNC);
        log.atWarn().setMessage("sync failed, will retry").addKeyValue("integration", id).addKeyValue("attempt", job.attempts())
            .addKeyValue("maxAttempts", sync.maxAttempts()).addKeyValue("retryInMs", delay).addKeyValue("error", err.getMessage()).log();
      };
      settled = queue.retry(job, workerId, delay, err.getMessage());
    } else {
      outcome = err instanceof MassDeletionRefused ? "refused" : "failed";
      // ERROR once the job is in failed_jobs (a person looks); if that write fails, the job is claimed again.
      report = () -> log.atError().setMessage("sync failed").addKeyValue("integration", id)
          .addKeyValue("attempts", job.attempts()).addKeyValue("outcome", outcome)
          .addKeyValue("error", err.getMessage()).log();
      settled = queue.fail(job, workerId, errorClass(err), String.valueOf(err.getMessage()), outcome);
    }
    if (err != null) event.put("error", err.getMessage()).put("changed", 0);
    event.put("outcome", outcome);
    if (result != null) metrics.skipped(result.skipped());
    return settled.transform(ar -> {
      boolean discarded = ar.succeeded() && !ar.result();
      // a discarded run counts as retried: the job runs under its holder
      String counted = discarded ? "retry" : outcome;
      summary.add(counted, millis, System.currentTimeMillis());
      metrics.sync(counted, millis, result == null ? 0 : result.changed());
      if (ar.failed()) return Future.failedFuture(ar.cause());
      if (discarded) {
        Recoveries.count(Recoveries.Kind.SYNC);
        log.atWarn().setMessage("job taken over by another worker; this run's outcome discarded").addKeyValue("integration", id)
            .addKeyValue("job", job.id()).addKeyValue("outcome", outcome).log();
        return Future.succeededFuture();
      }
      report.run();
      vertx.eventBus().publish(Addresses.SYNC_COMPLETED, event);
      new AuditEvent("sync", "sync." + outcome, id, event.copy().put("attempt", job.attempts())
          .put("googleCallsByStatus", new JsonObject(new java.util.TreeMap<String, Object>(calls)))).send(vertx.eventBus());
      return Future.succeededFuture();
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
}
