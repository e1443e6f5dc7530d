package org.calsync.push;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The channel ids this daemon knows (every push_channels row, stopped ones included) with their token hash and
 * integration, held in memory so that the webhook answers an unknown id or a wrong token without a database query.
 * <p>A miss waits for the next refresh that starts after it (a channel opened by another process a moment ago is
 * found): refreshes read only rows created since the last one (less a margin for late commits), run one at a time and
 * at most one per {@link #MIN_GAP_MS}, whatever the rate of misses; at most {@link #MAX_WAITING} misses wait, later ones
 * fail with {@link Busy}. The whole set is reloaded every {@link #FULL_RELOAD_MS} (rows purged or erased leave).
 * Confined to the push verticle's event loop.
 */
final class KnownChannels {
  private static final Logger log = LoggerFactory.getLogger(KnownChannels.class);
  static final long MIN_GAP_MS = 1000;
  static final long FULL_RELOAD_MS = 300_000;
  static final int MAX_WAITING = 1000;
  /** Rows are read again this far behind the newest created_at seen (a transaction commits after its now()). */
  private static final long MARGIN_SECONDS = 60;

  /** Too many unknown channel ids are waiting for a refresh. */
  static final class Busy extends RuntimeException {
    Busy() {
      super("too many notifications for unknown channels are waiting", null, false, false);
    }
  }

  private final Vertx vertx;
  private final Channels channels;
  private Map<String, Channels.Known> byId = new HashMap<>();
  private OffsetDateTime newest;
  private List<Promise<Void>> waiting = new ArrayList<>();
  private boolean refreshing;
  private boolean scheduled;
  private long lastStartMs;
  private long lastFullMs;

  KnownChannels(Vertx vertx, Channels channels) {
    this.vertx = vertx;
    this.channels = channels;
  }

  /** Loads every channel; then reloads all of them every FULL_RELOAD_MS. */
  Future<Void> start() {
    vertx.setPeriodic(FULL_RELOAD_MS, FULL_RELOAD_MS, id -> {
      if (!refreshing) run(true);
    });
    return run(true);
  }

  /** The channel, or null when it is unknown even after a refresh that started after this call. */
  Future<Channels.Known> lookup(String id) {
    Channels.Known k = byId.get(id);
    if (k != null) return Future.succeededFuture(k);
    if (waiting.size() >= MAX_WAITING) return Future.failedFuture(new Busy());
    Promise<Void> p = Promise.promise();
    waiting.add(p);
    schedule();
    return p.future().map(v -> byId.get(id));
  }

  /** The row is gone (erased or purged). */
  void forget(String id) {
    byId.remove(id);
  }

  private void schedule() {
    if (refreshing || scheduled) return;
    scheduled = true;
    long delay = Math.max(1, lastStartMs + MIN_GAP_MS - System.currentTimeMillis());
    vertx.setTimer(delay, id -> {
      scheduled = false;
      if (!refreshing) run(System.currentTimeMillis() - lastFullMs >= FULL_RELOAD_MS);
    });
  }

  /** One refresh for the misses waiting now; misses arriving meanwhile wait for the next one. */
  private Future<Void> run(boolean full) {
    List<Promise<Void>> served = waiting;
    waiting = new ArrayList<>();
    return reload(full).onComplete(ar -> {
      for (Promise<Void> p : served) {
        if (ar.succeeded()) p.complete();
        else p.fail(ar.cause());
      }
      if (!waiting.isEmpty()) schedule();
    });
  }

  private Future<Void> reload(boolean full) {
    refreshing = true;
    lastStartMs = System.currentTimeMillis();
    OffsetDateTime since = full || newest == null ? null : newest.minusSeconds(MARGIN_SECONDS);
    return channels.known(since).map(rows -> {
      Map<String, Channels.Known> target = full ? new HashMap<>() : byId;
      for (Channels.Known k : rows) {
        target.put(k.id(), k);
        if (newest == null || k.createdAt().isAfter(newest)) newest = k.createdAt();
      }
      if (full) {
        byId = target;
        lastFullMs = lastStartMs;
      }
      return (Void) null;
    }).onComplete(ar -> {
      refreshing = false;
      if (ar.failed()) log.warn("push: reading known channels failed: {}", ar.cause().getMessage());
    });
  }
}
