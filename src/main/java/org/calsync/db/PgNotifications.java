package org.calsync.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process's one LISTEN connection (PgSubscriber): every part that wants PostgreSQL notifications registers its
 * channel here instead of opening its own connection. The connection is re-opened after a loss (backing off up to
 * 30 s), and a listener is also called each time its LISTEN takes effect, so a notification missed while disconnected
 * costs no more than the caller's own polling, which stays on as the fallback. Handlers run on the subscriber's
 * context: hop to your own (event bus, runOnContext) before touching verticle state.
 */
public final class PgNotifications {
  private static final Logger log = LoggerFactory.getLogger(PgNotifications.class);
  private static final long MAX_BACKOFF_MS = 30_000;

  private final Vertx vertx;
  private final PgSubscriber subscriber;
  private final java.util.Set<String> listening = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  public PgNotifications(Vertx vertx, PgConnectOptions options) {
    this.vertx = vertx;
    this.subscriber = PgSubscriber.subscriber(vertx, options)
        .reconnectPolicy(retries -> Math.min(MAX_BACKOFF_MS, 250L << Math.min(retries, 7)));
  }

  /**
   * Calls onNotify for every notification on the channel (payload ignored) and once each time the LISTEN is
   * (re)established. Register channels before {@link #connect()} or after: both work.
   */
  public PgNotifications listen(String channel, Runnable onNotify) {
    subscriber.channel(channel).subscribeHandler(v -> {
      listening.add(channel);
      onNotify.run();
    }).handler(payload -> onNotify.run());
    return this;
  }

  /** The channels whose LISTEN has taken effect on the connection (at least once). */
  public java.util.Set<String> listening() {
    return java.util.Set.copyOf(listening);
  }

  /**
   * Opens the connection; completes when the first attempt has ended. A failure is logged and retried in the
   * background: it never fails the caller.
   */
  public Future<Void> connect() {
    return connect(0);
  }

  private Future<Void> connect(int attempt) {
    if (closed) return Future.succeededFuture();
    return subscriber.connect().recover(err -> {
      long delay = Math.min(MAX_BACKOFF_MS, 250L << Math.min(attempt, 7));
      log.atWarn().setMessage("LISTEN connection failed, polling only until it is back").addKeyValue("retryInMs", delay)
          .addKeyValue("error", err.getMessage()).log();
      vertx.setTimer(delay, t -> connect(attempt + 1));
      return Future.succeededFuture();
    });
  }

  public Future<Void> close() {
    closed = true;
    return subscriber.close();
  }
}
