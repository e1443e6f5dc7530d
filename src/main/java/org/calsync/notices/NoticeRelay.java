package org.calsync.notices;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.List;
import java.util.Map;
import org.calsync.bus.Addresses;
import org.calsync.bus.BusFailure;
import org.calsync.bus.Messages;
import org.calsync.bus.Requests.NoticesRead;
import org.calsync.config.CalsyncConfig;
import org.calsync.db.Notices;
import org.calsync.db.PgNotifications;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One per process (deployed with the workers or the daemon): follows the outbox and republishes each new notice on
 * the bus at its type's address, so bus consumers of this process see every notice whichever process appended it
 * (bus publishes of notices happen only here). Learns of new rows by LISTEN {@value Notices#CHANNEL} on the
 * process's shared notification connection ({@link PgNotifications}, reconnecting) and by a poll every notices.pollMs as the fallback. Its cursor is per process
 * and starts at the newest id at start: notices from before are not replayed on the bus (the pull API and the webhook
 * have them). Also serves {@link Addresses#NOTICES_READ}, long-polls woken by the same LISTEN, and, with
 * notices.webhookUrl, pushes notices to it ({@link WebhookSender}).
 */
public final class NoticeRelay extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(NoticeRelay.class);
  private static final int BATCH = 500;

  /** The bus address of each notice type (documented in bus/Addresses). */
  static final Map<String, String> ADDRESSES = Map.of(
      Notices.INTEGRATION_STATUS, Addresses.INTEGRATION_STATUS,
      Notices.BOOKING_CONFLICT, Addresses.BOOKING_CONFLICT,
      Notices.APPOINTMENT_OVERRIDDEN, Addresses.APPOINTMENT_OVERRIDDEN,
      Notices.APPOINTMENT_WRITE_FAILED, Addresses.APPOINTMENT_WRITE_FAILED,
      Notices.SYNC_FAILING, Addresses.SYNC_FAILING);

  private final CalsyncConfig config;
  private final Pool pool;
  private final MeterRegistry registry;
  private WebhookSender webhook;
  private final List<Waiter> waiters = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final PgNotifications notifications;
  private long cursor;
  private boolean reading;
  private boolean again;

  /** A long-poll waiting for notices after its cursor. */
  private record Waiter(NoticesRead request, Message<Object> msg, long timer) {
  }

  /** registry receives calsync_notices_long_polls (requests waiting for a notice). */
  public NoticeRelay(CalsyncConfig config, Pool pool, MeterRegistry registry, PgNotifications notifications) {
    this.config = config;
    this.pool = pool;
    this.notifications = notifications;
    this.registry = registry;
    Gauge.builder("calsync_notices_long_polls", waiters, List::size).description("notice reads waiting for a new notice")
        .register(registry);
  }

  @Override
  public Future<?> start() {
    if (config.notices().webhook()) webhook = new WebhookSender(vertx, config.notices(), pool, registry);
    return Notices.newest(pool).compose(newest -> {
      cursor = newest;
      // Without LISTEN the poll still delivers; the shared connection keeps reconnecting (the App connects it).
      Context context = vertx.getOrCreateContext();
      notifications.listen(Notices.CHANNEL, () -> context.runOnContext(v -> wake()));
      vertx.setPeriodic(config.notices().pollMs(), t -> wake());
      return vertx.eventBus().consumer(Addresses.NOTICES_READ, this::read).completion();
    });
  }

  @Override
  public Future<?> stop() {
    waiters.forEach(w -> w.msg.reply(reply(List.of(), w.request.after())));
    waiters.clear();
    if (webhook != null) webhook.stop();
    return Future.succeededFuture();
  }

  /** Reads past the cursor and publishes; one read at a time, repeated while rows keep coming. */
  private void wake() {
    if (webhook != null) webhook.kick();
    if (reading) {
      again = true;
      return;
    }
    reading = true;
    again = false;
    Notices.after(pool, cursor, BATCH).onComplete(ar -> {
      reading = false;
      if (ar.failed()) {
        log.warn("reading notices after {} failed (retried at the next poll): {}", cursor, ar.cause().getMessage());
        return;
      }
      for (Notices.Notice n : ar.result()) {
        vertx.eventBus().publish(ADDRESSES.getOrDefault(n.type(), "calsync." + n.type()), n.payload());
        cursor = n.id();
      }
      if (!ar.result().isEmpty()) {
        recheckWaiters();
      }
      if (again || ar.result().size() == BATCH) wake();
    });
  }

  private void read(Message<Object> msg) {
    NoticesRead request;
    try {
      request = NoticesRead.parse(Messages.body(msg));
    } catch (BusFailure f) {
      Messages.reply(msg, Future.failedFuture(f));
      return;
    }
    Notices.after(pool, request.after(), request.limit()).onComplete(ar -> {
      if (ar.failed()) {
        Messages.reply(msg, Future.failedFuture(BusFailure.unavailable("notices: " + ar.cause().getMessage())));
      } else if (!ar.result().isEmpty() || request.waitSeconds() == 0) {
        msg.reply(reply(ar.result(), request.after()));
      } else {
        Waiter[] self = new Waiter[1];
        long timer = vertx.setTimer(request.waitSeconds() * 1000L, t -> {
          if (waiters.remove(self[0])) msg.reply(reply(List.of(), request.after()));
        });
        self[0] = new Waiter(request, msg, timer);
        waiters.add(self[0]);
        if (cursor > request.after()) recheck(self[0]);
      }
    });
  }

  private void recheckWaiters() {
    for (Waiter w : List.copyOf(waiters)) if (cursor > w.request.after()) recheck(w);
  }

  private void recheck(Waiter w) {
    Notices.after(pool, w.request.after(), w.request.limit()).onSuccess(list -> {
      if (list.isEmpty() || !waiters.remove(w)) return;
      vertx.cancelTimer(w.timer);
      w.msg.reply(reply(list, w.request.after()));
    });
  }

  private static JsonObject reply(List<Notices.Notice> list, long after) {
    return new JsonObject().put("notices", Notices.json(list))
        .put("next", list.isEmpty() ? after : list.get(list.size() - 1).id());
  }
}
