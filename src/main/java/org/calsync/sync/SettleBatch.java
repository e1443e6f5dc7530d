package org.calsync.sync;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import org.calsync.db.JobQueue;
import org.calsync.metrics.Recoveries;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gathers successful syncs for a few milliseconds and settles them with one statement
 * ({@link JobQueue#completeAll}), so that a no-change sync costs a fraction of a database round trip. A failed write
 * is tried again twice; after that the jobs stay leased and run again when the lease lapses (syncs are idempotent).
 * Each sync learns whether its job was settled: false when another worker had taken it over (nothing written).
 * Confined to the worker's event loop.
 */
final class SettleBatch {
  private static final Logger log = LoggerFactory.getLogger(SettleBatch.class);
  private static final int MAX_BATCH = 500;
  private static final long LINGER_MS = 10;

  private final Vertx vertx;
  private final JobQueue queue;
  private final String worker;
  private List<JobQueue.Done> pending = new ArrayList<>();
  private List<Promise<Boolean>> waiters = new ArrayList<>();
  private long timer = -1;

  SettleBatch(Vertx vertx, JobQueue queue, String worker) {
    this.vertx = vertx;
    this.queue = queue;
    this.worker = worker;
  }

  /** True once the job is settled; false when this worker no longer held it. */
  Future<Boolean> add(JobQueue.Done done) {
    Promise<Boolean> p = Promise.promise();
    pending.add(done);
    waiters.add(p);
    if (pending.size() >= MAX_BATCH) {
      flush();
    } else if (timer == -1) {
      timer = vertx.setTimer(LINGER_MS, id -> {
        timer = -1;
        flush();
      });
    }
    return p.future();
  }

  private void flush() {
    if (pending.isEmpty()) return;
    List<JobQueue.Done> batch = pending;
    List<Promise<Boolean>> promises = waiters;
    pending = new ArrayList<>();
    waiters = new ArrayList<>();
    write(batch, 1).onComplete(ar -> {
      for (int i = 0; i < promises.size(); i++) {
        if (ar.failed()) promises.get(i).fail(ar.cause());
        else promises.get(i).complete(ar.result().contains(batch.get(i).jobId()));
      }
    });
  }

  private Future<java.util.Set<Long>> write(List<JobQueue.Done> batch, int attempt) {
    return queue.completeAll(batch, worker).recover(err -> {
      if (attempt >= 3) return Future.failedFuture(err);
      Recoveries.count(Recoveries.Kind.DATABASE);
      log.atWarn().setMessage("settling syncs failed, trying again").addKeyValue("syncs", batch.size())
          .addKeyValue("attempt", attempt).addKeyValue("error", err.getMessage()).log();
      return vertx.timer(500L * attempt).compose(v -> write(batch, attempt + 1));
    });
  }
}
