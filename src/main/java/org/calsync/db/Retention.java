package org.calsync.db;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

/**
 * The daily cleanup's deletions of rows nobody needs any more, each in batches of {@link #BATCH} rows, one short
 * statement (its own transaction) per batch, so no lock is held for long and the daemons keep working meanwhile.
 * Never touches audit_log (owner-governed, see audit.AuditLog#purge) nor anything still to be done: an appointment
 * whose latest version is not yet written to Google stays whatever its age.
 */
public final class Retention {
  /** Rows per statement. */
  static final int BATCH = 1000;

  private final Pool pool;

  public Retention(Pool pool) {
    this.pool = pool;
  }

  /** Appointments that ended more than days ago and are written (or their cancellation is); returns how many. */
  public Future<Long> pastAppointments(int days) {
    return batches("DELETE FROM appointments WHERE id IN (SELECT id FROM appointments "
        + "WHERE end_at < now() - make_interval(days => $1) AND written_version >= version "
        + "AND (write_locked_until IS NULL OR write_locked_until < now()) LIMIT $2)", Tuple.of(days, BATCH), 0);
  }

  /**
   * Notices created more than days ago, whatever their delivery status (the webhook's retry schedule ends long
   * before; see db.Notices); returns how many.
   */
  public Future<Long> notices(int days) {
    return batches("DELETE FROM notices WHERE id IN (SELECT id FROM notices "
        + "WHERE created_at < now() - make_interval(days => $1) ORDER BY id LIMIT $2)", Tuple.of(days, BATCH), 0);
  }

  /**
   * Connect links (V13) that expired more than a week ago, used or not (the consent itself is in the audit log);
   * returns how many.
   */
  public Future<Long> expiredConnectLinks() {
    return batches("DELETE FROM connect_links WHERE id IN (SELECT id FROM connect_links "
        + "WHERE expires_at < now() - interval '7 days' AND (state_expires_at IS NULL "
        + "OR state_expires_at < now() - interval '7 days') LIMIT $1)", Tuple.of(BATCH), 0);
  }

  /** Conflict reports of appointments that started more than days ago; returns how many. */
  public Future<Long> conflictReports(int days) {
    return batches("DELETE FROM conflict_reports WHERE ctid = ANY(ARRAY(SELECT ctid FROM conflict_reports "
        + "WHERE appt_start < now() - make_interval(days => $1) LIMIT $2))", Tuple.of(days, BATCH), 0);
  }

  /**
   * Mirror rows that only describe the past, calendar by calendar (each statement uses the calendar's index):
   * cancelled events (recurring exceptions) of instances that ended or were due more than days ago, and busy blocks
   * that ended more than days ago. Returns {cancelled events, busy blocks} deleted.
   */
  public Future<long[]> pastMirrorRows(int days) {
    return pool.query("SELECT id FROM calendars ORDER BY id").execute().compose(rs -> {
      long[] deleted = new long[2];
      Future<Void> chain = Future.succeededFuture();
      for (var row : rs) {
        long calendar = row.getLong(0);
        chain = chain
            .compose(v -> batches("DELETE FROM calendar_events WHERE calendar_id = $1 AND google_event_id = ANY(ARRAY("
                + "SELECT google_event_id FROM calendar_events WHERE calendar_id = $1 AND status = 'cancelled' "
                + "AND recurrence IS NULL AND COALESCE(end_at, original_start, start_at) < now() - make_interval(days => $2) "
                + "LIMIT $3))", Tuple.of(calendar, days, BATCH), 0))
            .compose(n -> {
              deleted[0] += n;
              return batches("DELETE FROM busy_blocks WHERE ctid = ANY(ARRAY(SELECT ctid FROM busy_blocks "
                  + "WHERE calendar_id = $1 AND start_at < now() - make_interval(days => $2) "
                  + "AND end_at < now() - make_interval(days => $2) LIMIT $3))", Tuple.of(calendar, days, BATCH), 0);
            })
            .map(n -> {
              deleted[1] += n;
              return null;
            });
      }
      return chain.map(v -> deleted);
    });
  }

  /** Runs the statement until a batch deletes fewer than BATCH rows; returns the total deleted. */
  private Future<Long> batches(String sql, Tuple args, long done) {
    return pool.preparedQuery(sql).execute(args).compose(rs -> rs.rowCount() < BATCH
        ? Future.succeededFuture(done + rs.rowCount()) : batches(sql, args, done + rs.rowCount()));
  }
}
