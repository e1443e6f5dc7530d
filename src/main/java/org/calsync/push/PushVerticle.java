package org.calsync.push;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;
import io.vertx.sqlclient.Pool;
import org.calsync.bus.Addresses;
import org.calsync.config.CalsyncConfig;
import org.calsync.config.DbConfig;
import org.calsync.config.PushConfig;
import org.calsync.db.Db;
import org.calsync.db.LeaderLock;
import org.calsync.google.Google;
import org.calsync.metrics.Recoveries;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Google push notifications (deployed when push.enabled, with the ops HTTP server).
 * <ul>
 *   <li>The webhook listener on push.listenHost:push.listenPort (HTTPS when push.tlsCertFile/tlsKeyFile are set), served
 *       by every process: POST /webhooks/google ({@link WebhookHandler}) and nothing else (the ops endpoints stay on
 *       http.host:http.port). It has its own pool of {@link #WEBHOOK_POOL_SIZE} database connections.</li>
 *   <li>Channel keeper ({@link ChannelKeeper}), in one process only (holder of a PostgreSQL session advisory lock on a
 *       dedicated connection): every push.checkSeconds, and soon after a sync completes, opens a channel for each
 *       calendar of an active integration that has none, renews channels within push.renewBeforeSeconds of expiry
 *       (a new channel; the old one is stopped when it expires) and stops channels of inactive integrations.</li>
 *   <li>On {@link Addresses#INTEGRATION_STATUS} needs_reconnect, paused or disconnected: stops the integration's channels (any
 *       process; the database claim makes it happen once).</li>
 * </ul>
 * Polling by the scheduler is unchanged and remains the fallback for lost notifications.
 */
public final class PushVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(PushVerticle.class);
  static final long LEADER_LOCK = 0x6361_6c73_0006L;
  private static final long SOON_MS = 500;
  /**
   * Connections of the webhook's own pool: its few statements (channel lookups, batched commits) do not queue behind
   * the sync workers' statements in the shared pool, where a cycle keeps hundreds waiting.
   */
  static final int WEBHOOK_POOL_SIZE = 2;

  private final CalsyncConfig config;
  private final Pool pool;
  private final MeterRegistry registry;
  private final Google google;
  private PushConfig push;
  private HttpServer server;
  private Pool webhookPool;
  private ChannelKeeper keeper;
  private LeaderLock leaderLock;
  private boolean busy;
  private boolean again;
  private boolean soonPending;
  private boolean stopping;

  public PushVerticle(CalsyncConfig config, Pool pool, MeterRegistry registry, Google google) {
    this.config = config;
    this.pool = pool;
    this.registry = registry;
    this.google = google;
  }

  @Override
  public Future<?> start() {
    push = config.push();
    leaderLock = new LeaderLock(vertx, config.db(), LEADER_LOCK, "push channel keeper");
    PushMetrics metrics = new PushMetrics(registry);
    Channels channels = new Channels(pool);
    keeper = new ChannelKeeper(push, channels, google, metrics);
    DbConfig db = config.db();
    webhookPool = Db.pool(vertx, new DbConfig(db.url(), db.password(), WEBHOOK_POOL_SIZE));
    Channels webhookChannels = new Channels(webhookPool);
    KnownChannels known = new KnownChannels(vertx, webhookChannels);
    Router router = Router.router(vertx);
    router.post("/webhooks/google").handler(new WebhookHandler(vertx, push, webhookChannels, known, metrics));
    vertx.setPeriodic(push.checkSeconds() * 1000L, id -> tick());
    vertx.setPeriodic(1, 10_000, id -> keeper.refreshStats());
    return Future.join(known.start().compose(v -> listen(router)),
        vertx.eventBus().<JsonObject>consumer(Addresses.INTEGRATION_STATUS, m -> onStatus(m.body())).completion(),
        vertx.eventBus().<JsonObject>consumer(Addresses.SYNC_COMPLETED, m -> {
          if (m.body() != null && "synced".equals(m.body().getString("outcome"))) soon();
        }).completion());
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    Future<Void> lock = leaderLock == null ? Future.succeededFuture() : leaderLock.close();
    return lock.transform(ar -> webhookPool == null ? Future.succeededFuture() : webhookPool.close());
  }

  private Future<HttpServer> listen(Router router) {
    HttpServerOptions options = new HttpServerOptions().setHost(push.listenHost()).setPort(push.listenPort());
    if (push.tls()) {
      options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions().setCertPath(push.tlsCertFile()).setKeyPath(push.tlsKeyFile()));
    }
    return vertx.createHttpServer(options).requestHandler(router).listen()
        .onSuccess(s -> {
          server = s;
          log.info("push webhook listening on {}://{}:{}/webhooks/google", push.tls() ? "https" : "http", push.listenHost(),
              s.actualPort());
        })
        .recover(e -> Future.failedFuture(new IllegalStateException("push webhook listener on " + push.listenHost() + ":"
            + push.listenPort() + " (push.listenHost/push.listenPort, push.tlsCertFile/push.tlsKeyFile) did not start: "
            + e.getMessage(), e)));
  }

  /** The webhook listener's port (once deployed). */
  public int port() {
    return server.actualPort();
  }

  private void onStatus(JsonObject body) {
    if (body == null) return;
    String status = body.getString("status");
    Object id = body.getValue("integrationId");
    if (!(id instanceof Number n)) return;
    if ("needs_reconnect".equals(status) || "disconnected".equals(status) || "paused".equals(status)) {
      keeper.stopIntegration(n.longValue(), status)
          .onFailure(e -> log.warn("stopping push channels of integration {} failed (retried by the keeper): {}", n, e.getMessage()));
    } else if ("active".equals(status)) {
      soon();
    }
  }

  /** A keeper pass shortly (coalesced). */
  private void soon() {
    if (soonPending) return;
    soonPending = true;
    vertx.setTimer(SOON_MS, id -> {
      soonPending = false;
      tick();
    });
  }

  private void tick() {
    if (stopping) return;
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    ensureLeader()
        .compose(isLeader -> isLeader ? keeper.pass() : Future.succeededFuture(false))
        .onComplete(ar -> {
          busy = false;
          if (ar.failed()) {
            Recoveries.count(Recoveries.Kind.DATABASE);
            log.warn("push channel keeper pass failed: {}", ar.cause().getMessage());
          }
          if (again || (ar.succeeded() && ar.result())) {
            again = false;
            tick();
          }
        });
  }

  private Future<Boolean> ensureLeader() {
    return leaderLock.ensure();
  }
}
