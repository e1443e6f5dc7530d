package org.calsync.ops;

import io.micrometer.core.instrument.Counter;
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
import java.util.HashMap;
import java.util.Map;
import org.calsync.bus.Addresses;
import org.calsync.config.HttpConfig;

/**
 * The ops HTTP endpoint (http.host:http.port):
 * GET /health  liveness, 200 while the event loop answers;
 * GET /ready   readiness, 200 when PostgreSQL answers within 2 s, else 503 (JSON per vertx-health-check);
 * GET /metrics Prometheus text (Vert.x, JVM and calsync meters).
 * Nothing else: Google's push webhook has its own listener (push.PushVerticle), so exposing it exposes none of these.
 * The database-backed gauges are {@link DatabaseGauges}, refreshed every http.metricsRefreshSeconds (a scrape never
 * queries). calsync_google_overrides_restored_total{change=moved|deleted|revived} counts the
 * {@link Addresses#APPOINTMENT_OVERRIDDEN} notices (an edit in Google undone because the EMR wins) that this process's
 * notice relay publishes: every process sees every restore, so aggregate it with max, not sum.
 */
public final class OpsVerticle extends VerticleBase {
  private final HttpConfig config;
  private final Pool pool;
  private final PrometheusMeterRegistry registry;
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
    router.get("/metrics").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(registry.scrape()));
    DatabaseGauges gauges = new DatabaseGauges(pool, registry);
    boolean[] refreshing = {false};
    vertx.setPeriodic(config.metricsRefreshSeconds() * 1000L, id -> {
      if (refreshing[0]) return;
      refreshing[0] = true;
      gauges.refresh().onComplete(ar -> refreshing[0] = false);
    });
    Map<String, Counter> restored = new HashMap<>();
    for (String change : new String[] {"moved", "deleted", "revived"}) {
      restored.put(change, Counter.builder("calsync.google.overrides.restored").tag("change", change)
          .description("Appointment events changed in Google and restored (the EMR wins)").register(registry));
    }
    vertx.eventBus().<JsonObject>consumer(Addresses.APPOINTMENT_OVERRIDDEN, m -> {
      Counter c = m.body() == null ? null : restored.get(m.body().getString("change"));
      if (c != null) c.increment();
    });
    return gauges.refresh().recover(e -> Future.succeededFuture())
        .compose(v -> vertx.createHttpServer().requestHandler(router).listen(config.port(), config.host()))
        .onSuccess(s -> server = s);
  }

  public int port() {
    return server.actualPort();
  }
}
