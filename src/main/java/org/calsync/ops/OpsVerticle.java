package org.calsync.ops;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.sqlclient.Pool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.calsync.config.HttpConfig;
import org.calsync.db.Integrations;
import org.calsync.db.JobQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ops HTTP endpoint (http.host:http.port):
 * GET /health  liveness, 200 while the event loop answers;
 * GET /ready   readiness, 200 when PostgreSQL answers within 2 s, else 503 (JSON per vertx-health-check);
 * GET /metrics Prometheus text (Vert.x, JVM and calsync meters).
 * Nothing else: Google's push webhook has its own listener (push.PushVerticle), so exposing it exposes none of these.
 * Gauges calsync_queue_depth, calsync_queue_due, calsync_queue_running, calsync_failed_jobs,
 * calsync_oldest_due_seconds (wait of the oldest due job), calsync_oldest_sync_age_seconds (time since the least
 * recently synced active integration last synced; see db.Integrations#oldestSyncAgeSeconds),
 * calsync_integrations_failing (active integrations whose syncs keep failing; db.Integrations#failing) and
 * calsync_busy_quarantined_events (recurring events busy over their whole span, see mirror.BusyBlocks) are read from
 * the database on each scrape of /metrics; if the database does not answer within 2 s, the last values are served.
 */
public final class OpsVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(OpsVerticle.class);
  private final HttpConfig config;
  private final Pool pool;
  private final PrometheusMeterRegistry registry;
  private final AtomicReference<JsonObject> stats = new AtomicReference<>(new JsonObject());
  private HttpServer server;

  public OpsVerticle(HttpConfig config, Pool pool, PrometheusMeterRegistry registry) {
    this.config = config;
    this.pool = pool;
    this.registry = registry;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    HealthChecks live = HealthChecks.create(vertx).register("event-loop", p -> p.complete(Status.OK()));
    HealthChecks ready = HealthChecks.create(vertx).register("postgresql", 2000, p ->
        pool.query("SELECT 1").execute().onSuccess(rs -> p.tryComplete(Status.OK()))
            .onFailure(e -> p.tryComplete(Status.KO(new JsonObject().put("error", e.getMessage())))));
    router.get("/health").handler(HealthCheckHandler.createWithHealthChecks(live));
    router.get("/ready").handler(HealthCheckHandler.createWithHealthChecks(ready));
    router.get("/metrics").handler(ctx -> refreshStats().onComplete(ar -> ctx.response()
        .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(registry.scrape())));
    gauge("calsync.queue.depth", "depth");
    gauge("calsync.queue.due", "due");
    gauge("calsync.queue.running", "running");
    gauge("calsync.failed.jobs", "failed");
    gauge("calsync.oldest.due.seconds", "oldestDueSeconds");
    gauge("calsync.oldest.sync.age.seconds", "oldestSyncAgeSeconds");
    gauge("calsync.integrations.failing", "failingIntegrations");
    gauge("calsync.busy.quarantined.events", "busyQuarantined");
    return vertx.createHttpServer().requestHandler(router).listen(config.port(), config.host()).onSuccess(s -> server = s);
  }

  private Future<Void> refreshStats() {
    return new JobQueue(pool).stats()
        .compose(q -> new Integrations(pool).oldestSyncAgeSeconds().map(age -> q.put("oldestSyncAgeSeconds", age)))
        .compose(q -> new Integrations(pool).failingCount().map(n -> q.put("failingIntegrations", n)))
        .compose(q -> pool.query("SELECT count(*) FROM busy_quarantine").execute()
            .map(rs -> q.put("busyQuarantined", rs.iterator().next().getLong(0))))
        .timeout(2, TimeUnit.SECONDS)
        .onSuccess(stats::set)
        .onFailure(e -> log.atWarn().setMessage("metrics: database stats unavailable").addKeyValue("error", e.getMessage()).log())
        .mapEmpty();
  }

  public int port() {
    return server.actualPort();
  }

  private void gauge(String name, String field) {
    Gauge.builder(name, stats, s -> {
      Number n = (Number) s.get().getValue(field);
      return n == null ? Double.NaN : n.doubleValue();
    }).register(registry);
  }
}
