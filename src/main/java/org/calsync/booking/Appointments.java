package org.calsync.booking;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.calsync.db.Notices;

/**
 * SQL for appointments. version is the EMR's intent (bumped on every real change), written_version what Google holds;
 * writers (and the EMR-wins check) claim a row with a lease (write_lock, write_locked_until) so one appointment is never
 * written by two at once. A lease is the holder's only while it has not lapsed: renewing or recording through a lapsed
 * lease fails even when nobody else claimed the row meanwhile. google_etag is Google's etag of the event as last
 * written or read (null: unknown, e.g. after a delete), sent as If-Match.
 */
final class Appointments {
  /** A claimed pending write, or the state a claimed check compares with Google. */
  record Pending(String id, long integrationId, long version, long writtenVersion, String status, Instant start,
                 Instant end, String eventId, String calendarId, String etag) {
    boolean cancelled() {
      return "cancelled".equals(status);
    }
  }

  /** Result of recording the EMR's intent. */
  record Intent(long version, String eventId, boolean exists, Long otherIntegration) {
  }

  /** A written appointment (booked or cancelled) to compare with Google. */
  record Check(String id, long integrationId, String status, Instant start, Instant end, String eventId,
               String mirrorStatus, Instant mirrorStart, Instant mirrorEnd) {
  }

  /** The lease on the row was lost: it lapsed or another writer claimed it. */
  static final class LeaseLost extends RuntimeException {
    LeaseLost(String id) {
      super("write lease on appointment " + id + " lost (lapsed or claimed by another writer)");
    }
  }

  private static final String CLAIMED = "RETURNING id, integration_id, version, written_version, status, start_at, end_at, "
      + "google_event_id, COALESCE(google_calendar_id, (SELECT c.google_calendar_id FROM calendars c "
      + "WHERE c.integration_id = a.integration_id ORDER BY c.write_target DESC, c.is_primary DESC, c.id LIMIT 1), 'primary'), google_etag";

  /** Appointments of paused integrations are not written nor checked: their writes wait (not failed) until resume. */
  private static final String NOT_PAUSED = "AND NOT EXISTS (SELECT 1 FROM user_integrations u WHERE u.id = a.integration_id "
      + "AND u.status = 'paused') ";

  /** Attempts of one version before its write fails for good (about 4 h of retries at the capped backoff). */
  static final int MAX_WRITE_ATTEMPTS = 24;

  private final Pool pool;

  Appointments(Pool pool) {
    this.pool = pool;
  }

  /**
   * Books or moves: stores the times with status booked; version goes up only when something changed. Sending an
   * appointment whose write failed for good again makes it pending again (same version when nothing changed).
   */
  Future<Intent> book(String id, long integrationId, Instant start, Instant end) {
    String eventId = EventIds.forAppointment(id);
    String changed = "(appointments.start_at <> EXCLUDED.start_at OR appointments.end_at <> EXCLUDED.end_at "
        + "OR appointments.status <> 'booked')";
    return pool.preparedQuery("INSERT INTO appointments (id, integration_id, start_at, end_at, status, google_event_id) "
            + "VALUES ($1, $2, $3, $4, 'booked', $5) ON CONFLICT (id) DO UPDATE SET start_at = EXCLUDED.start_at, "
            + "end_at = EXCLUDED.end_at, status = 'booked', "
            + "version = appointments.version + CASE WHEN " + changed + " THEN 1 ELSE 0 END, updated_at = now(), "
            + "next_write_at = now(), write_attempts = 0, write_failed_at = NULL "
            + "WHERE appointments.integration_id = EXCLUDED.integration_id AND (" + changed
            + " OR appointments.write_failed_at IS NOT NULL) RETURNING version, google_event_id")
        .execute(Tuple.of(id, integrationId, utc(start), utc(end), eventId))
        .compose(rs -> rs.size() > 0
            ? Future.succeededFuture(new Intent(rs.iterator().next().getLong(0), rs.iterator().next().getString(1), true, null))
            : current(id).map(r -> new Intent(r.getLong(0), r.getString(2), true,
                r.getLong(1) == integrationId ? null : r.getLong(1))));
  }

  /** Cancels; null when the appointment is unknown. Cancelling again retries a cancellation that failed for good. */
  Future<Intent> cancel(String id) {
    return pool.preparedQuery("UPDATE appointments SET version = version + CASE WHEN status <> 'cancelled' THEN 1 ELSE 0 END, "
            + "status = 'cancelled', updated_at = now(), next_write_at = now(), write_attempts = 0, write_failed_at = NULL "
            + "WHERE id = $1 AND (status <> 'cancelled' OR write_failed_at IS NOT NULL) RETURNING version, google_event_id")
        .execute(Tuple.of(id))
        .compose(rs -> rs.size() > 0 ? Future.succeededFuture(new Intent(rs.iterator().next().getLong(0), rs.iterator().next().getString(1), true, null))
            : current(id).map(r -> r == null ? null : new Intent(r.getLong(0), r.getString(2), true, null)));
  }

  private Future<Row> current(String id) {
    return pool.preparedQuery("SELECT version, integration_id, google_event_id FROM appointments WHERE id = $1")
        .execute(Tuple.of(id)).map(rs -> rs.size() == 0 ? null : rs.iterator().next());
  }

  /** Claims the appointment's pending write for the lease; null when nothing is pending or another writer holds it. */
  Future<Pending> claim(String id, String holder, int leaseSeconds) {
    return pool.preparedQuery("UPDATE appointments a SET write_lock = $2, write_locked_until = now() + make_interval(secs => $3) "
            + "WHERE id = $1 AND version > written_version AND write_failed_at IS NULL "
            + "AND (write_locked_until IS NULL OR write_locked_until < now()) " + NOT_PAUSED + CLAIMED)
        .execute(Tuple.of(id, holder, (double) leaseSeconds)).map(Appointments::pending);
  }

  /**
   * Claims a fully written appointment with an event for the EMR-wins check; null when a write is pending or another
   * writer holds it (that writer makes Google match).
   */
  Future<Pending> claimCheck(String id, String holder, int leaseSeconds) {
    return pool.preparedQuery("UPDATE appointments a SET write_lock = $2, write_locked_until = now() + make_interval(secs => $3) "
            + "WHERE id = $1 AND version = written_version AND google_event_id IS NOT NULL "
            + "AND (write_locked_until IS NULL OR write_locked_until < now()) " + NOT_PAUSED + CLAIMED)
        .execute(Tuple.of(id, holder, (double) leaseSeconds)).map(Appointments::pending);
  }

  private static Pending pending(RowSet<Row> rs) {
    if (rs.size() == 0) return null;
    Row r = rs.iterator().next();
    return new Pending(r.getString(0), r.getLong(1), r.getLong(2), r.getLong(3), r.getString(4),
        r.getOffsetDateTime(5).toInstant(), r.getOffsetDateTime(6).toInstant(), r.getString(7), r.getString(8), r.getString(9));
  }

  /** Extends the lease while it is still the holder's and has not lapsed; false when it is lost. */
  Future<Boolean> renew(String id, String holder, int leaseSeconds) {
    return pool.preparedQuery("UPDATE appointments SET write_locked_until = now() + make_interval(secs => $3) "
            + "WHERE id = $1 AND write_lock = $2 AND write_locked_until > now()")
        .execute(Tuple.of(id, holder, (double) leaseSeconds)).map(rs -> rs.rowCount() == 1);
  }

  /**
   * Records a successful write of version under eventId with Google's etag (null when unknown) and ends the lease; true
   * when a newer version is already pending. Fails with {@link LeaseLost} when the lease is no longer the holder's.
   */
  Future<Boolean> written(Pending p, String holder, String etag, String eventId) {
    return pool.preparedQuery("UPDATE appointments SET written_version = GREATEST(written_version, $3), write_lock = NULL, "
            + "write_locked_until = NULL, google_calendar_id = $4, google_etag = $5, written_at = now(), "
            + "google_event_id = $6, write_attempts = 0, last_write_error = NULL, write_failed_at = NULL "
            + "WHERE id = $1 AND write_lock = $2 AND write_locked_until > now() RETURNING version > written_version")
        .execute(Tuple.of(p.id(), holder, p.version(), p.calendarId(), etag, eventId))
        .compose(rs -> rs.size() == 0 ? Future.failedFuture(new LeaseLost(p.id()))
            : Future.succeededFuture(rs.iterator().next().getBoolean(0)));
  }

  /**
   * Ends a check's lease, recording Google's etag and the event's id as found or restored. Fails with {@link LeaseLost}
   * when the lease is no longer the holder's.
   */
  Future<Void> checked(String id, String holder, String etag, String eventId) {
    return checked(pool, id, holder, etag, eventId);
  }

  /**
   * {@link #checked} after Google was made to match again, with the appointment.overridden notice appended in the same
   * transaction.
   */
  Future<Void> restored(String id, String holder, String etag, String eventId, long integrationId, JsonObject notice) {
    return pool.withTransaction(conn -> checked(conn, id, holder, etag, eventId)
        .compose(v -> Notices.appendFor(conn, Notices.APPOINTMENT_OVERRIDDEN, integrationId, notice)).mapEmpty());
  }

  private static Future<Void> checked(SqlClient db, String id, String holder, String etag, String eventId) {
    return db.preparedQuery("UPDATE appointments SET write_lock = NULL, write_locked_until = NULL, google_etag = $3, "
            + "google_event_id = $4 WHERE id = $1 AND write_lock = $2 AND write_locked_until > now()")
        .execute(Tuple.of(id, holder, etag, eventId))
        .compose(rs -> rs.rowCount() == 1 ? Future.succeededFuture() : Future.failedFuture(new LeaseLost(id)));
  }

  /** Ends the holder's lease without recording anything (a failed check; the row is flagged again). */
  Future<Void> release(String id, String holder) {
    return pool.preparedQuery("UPDATE appointments SET write_lock = NULL, write_locked_until = NULL WHERE id = $1 AND write_lock = $2")
        .execute(Tuple.of(id, holder)).mapEmpty();
  }

  /**
   * Releases a failed write: retried after backoff (5 s doubling, at most 15 min), or, when final (Google refused it)
   * or after {@link #MAX_WRITE_ATTEMPTS} attempts, failed for good (write_failed_at) with an appointment.write_failed
   * notice in the same transaction. Returns true when it failed for good. While the integration is not active (its
   * grant was refused: needs_reconnect) the failure counts no attempt and never gives up: the write waits, skipped by
   * {@link #due}, and is retried at the first sweep after the reconnect.
   */
  Future<Boolean> failed(Pending p, String holder, String error, boolean terminal) {
    String active = "(SELECT u.status = 'active' FROM user_integrations u WHERE u.id = appointments.integration_id)";
    return pool.withTransaction(conn -> conn.preparedQuery("UPDATE appointments SET write_lock = NULL, write_locked_until = NULL, "
            + "write_attempts = write_attempts + CASE WHEN " + active + " THEN 1 ELSE 0 END, last_write_error = $3, "
            + "write_failed_at = CASE WHEN " + active + " AND ($4 OR write_attempts + 1 >= $5) AND version = $6 THEN now() END, "
            + "next_write_at = CASE WHEN " + active + " THEN now() + make_interval(secs => LEAST(900, 5 * power(2, "
            + "LEAST(write_attempts, 10)))) ELSE now() END "
            + "WHERE id = $1 AND write_lock = $2 RETURNING write_failed_at IS NOT NULL, write_attempts")
        .execute(Tuple.of(p.id(), holder, error, terminal, MAX_WRITE_ATTEMPTS, p.version()))
        .compose(rs -> {
          if (rs.size() == 0 || !rs.iterator().next().getBoolean(0)) return Future.succeededFuture(false);
          JsonObject notice = new JsonObject().put("integrationId", p.integrationId()).put("appointmentId", p.id())
              .put("version", p.version()).put("status", p.status()).put("attempts", rs.iterator().next().getInteger(1))
              .put("reason", error).put("at", Instant.now().toString());
          return Notices.appendFor(conn, Notices.APPOINTMENT_WRITE_FAILED, p.integrationId(), notice).map(true);
        }));
  }

  /** Ids with a due pending write (not failed for good) of an active integration. */
  Future<List<String>> due(int limit) {
    return pool.preparedQuery("SELECT id FROM appointments WHERE version > written_version AND next_write_at <= now() "
            + "AND write_failed_at IS NULL AND EXISTS (SELECT 1 FROM user_integrations u WHERE u.id = appointments.integration_id "
            + "AND u.status = 'active') "
            + "AND (write_locked_until IS NULL OR write_locked_until < now()) ORDER BY next_write_at LIMIT $1")
        .execute(Tuple.of(limit)).map(Appointments::strings);
  }

  /** Integrations with appointments a sync flagged for the EMR-wins check. */
  Future<List<Long>> flaggedIntegrations(int limit) {
    return pool.preparedQuery("SELECT DISTINCT integration_id FROM appointments WHERE needs_check LIMIT $1")
        .execute(Tuple.of(limit)).map(rs -> {
          List<Long> out = new ArrayList<>();
          for (Row r : rs) out.add(r.getLong(0));
          return out;
        });
  }

  /**
   * Takes the integration's flagged appointments (clearing the flag) that are fully written (booked or cancelled), with
   * their mirrored event (null fields when the mirror no longer has it), in appointment id order. Appointments written
   * to a calendar that is not mirrored (it no longer counts as busy or left the list) cannot be checked and are left.
   */
  Future<List<Check>> takeChecks(long integrationId) {
    return pool.preparedQuery("WITH taken AS (UPDATE appointments SET needs_check = false WHERE integration_id = $1 "
            + "AND needs_check RETURNING id, integration_id, status, version, written_version, start_at, end_at, google_event_id, "
            + "google_calendar_id) SELECT t.id, t.integration_id, t.status, t.start_at, t.end_at, t.google_event_id, "
            + "e.status, e.start_at, e.end_at FROM taken t "
            + "LEFT JOIN LATERAL (SELECT e.status, e.start_at, e.end_at FROM calendar_events e JOIN calendars c "
            + "ON c.id = e.calendar_id WHERE c.integration_id = t.integration_id AND e.google_event_id = t.google_event_id "
            + "LIMIT 1) e ON true WHERE t.version = t.written_version AND t.google_event_id IS NOT NULL "
            + "AND (t.google_calendar_id IS NULL OR EXISTS (SELECT 1 FROM calendars b WHERE b.integration_id = t.integration_id "
            + "AND b.google_calendar_id = t.google_calendar_id AND b.busy)) ORDER BY t.id")
        .execute(Tuple.of(integrationId)).map(rs -> {
          List<Check> out = new ArrayList<>();
          for (Row r : rs) {
            out.add(new Check(r.getString(0), r.getLong(1), r.getString(2), r.getOffsetDateTime(3).toInstant(),
                r.getOffsetDateTime(4).toInstant(), r.getString(5), r.getString(6), instant(r.getOffsetDateTime(7)),
                instant(r.getOffsetDateTime(8))));
          }
          return out;
        });
  }

  /** True when Google holds version (or a later one) of the appointment. */
  Future<Boolean> isWritten(String id, long version) {
    return pool.preparedQuery("SELECT written_version >= $2 FROM appointments WHERE id = $1").execute(Tuple.of(id, version))
        .map(rs -> rs.size() > 0 && rs.iterator().next().getBoolean(0));
  }

  Future<Void> flag(String id) {
    return pool.preparedQuery("UPDATE appointments SET needs_check = true WHERE id = $1").execute(Tuple.of(id)).mapEmpty();
  }

  private static List<String> strings(RowSet<Row> rs) {
    List<String> out = new ArrayList<>(rs.size());
    for (Row r : rs) out.add(r.getString(0));
    return out;
  }

  private static Instant instant(OffsetDateTime t) {
    return t == null ? null : t.toInstant();
  }

  static OffsetDateTime utc(Instant i) {
    return i.atOffset(ZoneOffset.UTC);
  }
}
