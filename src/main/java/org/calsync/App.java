package org.calsync;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.List;
import org.calsync.api.ApiVerticle;
import org.calsync.audit.AuditVerticle;
import org.calsync.booking.BookingVerticle;
import org.calsync.config.CalsyncConfig;
import org.calsync.bus.Addresses;
import org.calsync.db.Db;
import org.calsync.db.JobQueue;
import org.calsync.db.PgNotifications;
import org.calsync.google.Google;
import org.calsync.notices.NoticeRelay;
import org.calsync.ops.OpsVerticle;
import org.calsync.push.PushVerticle;
import org.calsync.scheduler.SchedulerVerticle;
import org.calsync.sync.CalendarChoicesVerticle;
import org.calsync.sync.SyncWorkerVerticle;
import org.calsync.token.ConnectionVerticle;
import org.calsync.token.ConsentVerticle;
import org.calsync.token.CredentialCipher;
import org.calsync.token.TokenVerticle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Composition root: migrates the schema, opens the pool, creates the process's one {@link Google} client and deploys,
 * in order, audit, the notice relay (with workers or ops: publishes the outbox on this process's bus), token, connections
 * (reconnect/disconnect), booking (with the workers: it writes to Google and follows syncs), sync workers, push (when
 * push.enabled and ops is deployed; the webhook on its own listener), scheduler (when scheduler.enabled), ops
 * HTTP and, with ops, the EMR API listener (api/). Undeploys in reverse on close, then closes the Google client and the pool.
 */
public final class App {
  private static final Logger log = LoggerFactory.getLogger(App.class);

  /** What to deploy; tests and the benchmark switch parts off (CLI commands run their own scoped workers). */
  public record Parts(boolean workers, boolean scheduler, boolean ops) {
    public static final Parts ALL = new Parts(true, true, true);
  }

  private final Vertx vertx;
  private final Pool pool;
  private final Google google;
  private final PgNotifications notifications;
  private final List<String> deployments = new ArrayList<>();
  private OpsVerticle ops;
  private SyncWorkerVerticle worker;
  private PushVerticle push;
  private ApiVerticle api;
  private ConsentVerticle consent;

  private App(Vertx vertx, CalsyncConfig config, Pool pool, Google google) {
    this.vertx = vertx;
    this.pool = pool;
    this.google = google;
    this.notifications = new PgNotifications(vertx, Db.connectOptions(config.db()));
  }

  public static Future<App> start(Vertx vertx, CalsyncConfig config, CredentialCipher cipher, PrometheusMeterRegistry registry,
                                  Parts parts) {
    return Db.migrate(vertx, config.db()).compose(applied -> {
      if (applied > 0) log.info("database migrations applied={}", applied);
      Google google = new Google(vertx, config.google(), config.sync().projectRequestsPerMinute(), registry);
      App app = new App(vertx, config, Db.pool(vertx, config.db()), google);
      return app.deploy(new AuditVerticle(app.pool, config.audit(), registry))
          .compose(v -> parts.workers() || parts.ops() ? app.deploy(new NoticeRelay(config, app.pool, registry, app.notifications))
              : Future.succeededFuture())
          .compose(v -> app.deploy(new TokenVerticle(config, app.pool, cipher, registry, google)))
          .compose(v -> app.deploy(new ConnectionVerticle(config, app.pool, cipher, google)))
          .compose(v -> parts.ops() && config.consent().enabled()
              ? app.deploy(app.consent = new ConsentVerticle(config, app.pool, cipher, google)) : Future.succeededFuture())
          .compose(v -> app.deploy(new CalendarChoicesVerticle(app.pool)))
          .compose(v -> parts.workers() ? app.deploy(new BookingVerticle(config, app.pool, google)) : Future.succeededFuture())
          .compose(v -> parts.workers() ? app.deploy(app.worker = new SyncWorkerVerticle(config, app.pool, registry, google))
              : Future.succeededFuture())
          .compose(v -> parts.workers() ? app.wakeWorkersOnEnqueue() : Future.succeededFuture())
          .compose(v -> parts.workers() || parts.ops() ? app.notifications.connect() : Future.succeededFuture())
          .compose(v -> parts.ops() && config.push().enabled()
              ? app.deploy(app.push = new PushVerticle(config, app.pool, registry, google)) : Future.succeededFuture())
          .compose(v -> parts.scheduler() && config.scheduler().enabled()
              ? app.deploy(new SchedulerVerticle(config, app.pool)) : Future.succeededFuture())
          .compose(v -> parts.ops() ? app.deploy(app.ops = new OpsVerticle(config.http(), app.pool, registry))
              : Future.succeededFuture())
          .compose(v -> parts.ops() ? app.deploy(app.api = new ApiVerticle(config, app.pool)) : Future.succeededFuture())
          .map(v -> app)
          .recover(err -> app.close().transform(x -> Future.failedFuture(err)));
    });
  }

  /** Jobs enqueued by any process (JobQueue.CHANNEL) wake this process's workers at once; their poll stays the fallback. */
  private Future<Void> wakeWorkersOnEnqueue() {
    notifications.listen(JobQueue.CHANNEL, () -> vertx.eventBus().publish(Addresses.JOBS_AVAILABLE, new JsonObject()));
    return Future.succeededFuture();
  }

  /** The process's one LISTEN connection: register further notification channels here rather than opening another. */
  public PgNotifications notifications() {
    return notifications;
  }

  private Future<Void> deploy(io.vertx.core.Deployable verticle) {
    return vertx.deployVerticle(verticle).onSuccess(deployments::add).mapEmpty();
  }

  public Pool pool() {
    return pool;
  }

  /** The process's door to Google (for commands that call it outside the verticles). */
  public Google google() {
    return google;
  }

  /** The ops HTTP port (when deployed). */
  public int httpPort() {
    return ops == null ? -1 : ops.port();
  }

  /** The push webhook listener's port (when push is deployed). */
  public int webhookPort() {
    return push == null ? -1 : push.port();
  }

  /** The EMR API port (deployed with ops). */
  public int apiPort() {
    return api == null ? -1 : api.port();
  }

  /** The consent listener's port (deployed with ops when consent.enabled). */
  public int consentPort() {
    return consent == null ? -1 : consent.port();
  }

  public String workerId() {
    return worker == null ? null : worker.workerId();
  }

  /** Undeploys in reverse order (workers finish or release their jobs), then closes the pool. */
  public Future<Void> close() {
    Future<Void> chain = Future.succeededFuture();
    for (int i = deployments.size() - 1; i >= 0; i--) {
      String id = deployments.get(i);
      chain = chain.compose(v -> vertx.undeploy(id).recover(e -> Future.succeededFuture()));
    }
    return chain.compose(v -> notifications.close().recover(e -> Future.succeededFuture())).compose(v -> {
      google.close();
      return pool.close();
    });
  }
}
