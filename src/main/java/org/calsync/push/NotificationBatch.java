package org.calsync.push;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.calsync.db.JobQueue;

/**
 * Commits accepted change notifications together: while one transaction is in flight the next notifications gather,
 * then one transaction queues their push-priority jobs (one upsert, one row per integration, the earliest due time)
 * and records their message numbers (one update, the largest per channel). A notification's future completes when its
 * transaction has committed (or failed), so the webhook still answers 200 only once its job is stored. Alone, a
 * notification is written at once; under load a batch costs one commit instead of one each. A batch that deadlocks with
 * a settle is written again. Thread-safe.
 */
final class NotificationBatch {
  static final int MAX_BATCH = 500;
  static final int ATTEMPTS = 3;
  private static final String DEADLOCK = "40P01";

  private record Item(long integrationId, OffsetDateTime due, String channelId, long number, Promise<Void> done) {
  }

  private final Pool pool;
  private final List<Item> waiting = new ArrayList<>();
  private boolean writing;

  NotificationBatch(Pool pool) {
    this.pool = pool;
  }

  /** Queues the integration's push sync due at due and records the channel's message number; completes once committed. */
  Future<Void> add(long integrationId, OffsetDateTime due, String channelId, long number) {
    Promise<Void> done = Promise.promise();
    synchronized (this) {
      waiting.add(new Item(integrationId, due, channelId, number, done));
      if (writing) return done.future();
      writing = true;
    }
    writeNext();
    return done.future();
  }

  private void writeNext() {
    List<Item> batch;
    synchronized (this) {
      if (waiting.isEmpty()) {
        writing = false;
        return;
      }
      batch = new ArrayList<>(waiting.subList(0, Math.min(MAX_BATCH, waiting.size())));
      waiting.subList(0, batch.size()).clear();
    }
    write(batch, 1).onComplete(ar -> {
      for (Item i : batch) {
        if (ar.succeeded()) i.done().complete();
        else i.done().fail(ar.cause());
      }
      writeNext();
    });
  }

  /**
   * Writes the batch; a deadlock (its job rows locked in another order than a settle's) is tried again, up to
   * {@link #ATTEMPTS} times in all.
   */
  private Future<Void> write(List<Item> batch, int attempt) {
    return writeOnce(batch).recover(err -> err instanceof PgException pg && DEADLOCK.equals(pg.getSqlState()) && attempt < ATTEMPTS
        ? write(batch, attempt + 1) : Future.failedFuture(err));
  }

  private Future<Void> writeOnce(List<Item> batch) {
    Map<Long, OffsetDateTime> dueByIntegration = new TreeMap<>(); // sorted: rows locked in one order
    Map<String, Long> numberByChannel = new TreeMap<>();
    for (Item i : batch) {
      dueByIntegration.merge(i.integrationId(), i.due(), (a, b) -> a.isBefore(b) ? a : b);
      numberByChannel.merge(i.channelId(), i.number(), Math::max);
    }
    return pool.withTransaction(conn -> JobQueue.enqueueAll(conn, List.copyOf(dueByIntegration.keySet()),
            List.copyOf(dueByIntegration.values()), JobQueue.PRIORITY_PUSH)
        .compose(v -> Channels.recordMessages(conn, numberByChannel.keySet().toArray(new String[0]),
            numberByChannel.values().toArray(new Long[0]))));
  }
}
