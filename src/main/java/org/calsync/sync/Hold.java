package org.calsync.sync;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import java.util.function.Supplier;
import org.calsync.db.JobQueue;

/**
 * The check, inside a transaction that writes for a sync, that the sync may still write: its worker still holds the
 * job ({@link JobQueue#held}; a stale holder's check fails with {@link JobQueue.LeaseLost} and the transaction rolls
 * back, writing nothing).
 */
@FunctionalInterface
public interface Hold {
  Future<Void> check(SqlConnection conn);

  /** No job to hold (a listing applied outside a sync). */
  Hold NONE = conn -> Future.succeededFuture();

  /** The worker still holds the job. */
  static Hold job(long jobId, String worker) {
    return conn -> JobQueue.held(conn, jobId, worker);
  }

  /**
   * Inside conn's transaction: this check and first's statements, sent in the same round trip; completes with first's
   * result once both succeeded. first must not wait for a result before sending, and the caller's further statements
   * compose on the result, so none is sent when the check fails.
   */
  default <T> Future<T> around(SqlConnection conn, Supplier<Future<T>> first) {
    Future<Void> checked = check(conn);
    Future<T> sent = first.get();
    return Future.all(checked, sent).map(v -> sent.result());
  }
}
