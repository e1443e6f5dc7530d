package org.calsync.push;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * SQL for push_channels. A channel row is written before events.watch is called (Google may deliver the "sync" message
 * before the watch response), with resource_id filled in from the response. A channel is live while stopped_at is
 * null and expires_at is in the future. Stopping is a claim: the UPDATE that sets stopped_at returns the row to exactly
 * one caller, which then tells Google.
 */
final class Channels {
  /** A pending channel (no watch response yet) older than this is considered failed. */
  static final int PENDING_SECONDS = 120;
  /** A calendar whose events.watch failed is not tried again for this long. */
  static final int WATCH_RETRY_SECONDS = 900;

  /** What the webhook needs to judge one notification. */
  record Channel(String id, long calendarId, long integrationId, String integrationStatus, String resourceId,
                 byte[] tokenHash, boolean stopped, boolean expired, long lastMessageNumber) {
  }

  /** A calendar that needs a (new) channel. */
  record Target(long calendarId, long integrationId, String googleCalendarId) {
  }

  /** What the webhook keeps in memory per channel (see KnownChannels); createdAt moves its watermark. */
  record Known(String id, byte[] tokenHash, long integrationId, OffsetDateTime createdAt) {
  }

  /** A channel just claimed for stopping. */
  record Stopped(String id, long integrationId, String resourceId, String reason) {
  }

  private final Pool pool;

  Channels(Pool pool) {
    this.pool = pool;
  }

  Pool pool() {
    return pool;
  }

  Future<Channel> find(String id) {
    return pool.preparedQuery("SELECT p.id, p.calendar_id, c.integration_id, u.status, p.resource_id, p.token_hash, "
            + "p.stopped_at IS NOT NULL, p.expires_at <= now(), p.last_message_number FROM push_channels p "
            + "JOIN calendars c ON c.id = p.calendar_id JOIN user_integrations u ON u.id = c.integration_id WHERE p.id = $1")
        .execute(Tuple.of(id)).map(rs -> {
          if (rs.size() == 0) return null;
          Row r = rs.iterator().next();
          return new Channel(r.getString(0), r.getLong(1), r.getLong(2), r.getString(3), r.getString(4),
              r.getBuffer(5).getBytes(), r.getBoolean(6), r.getBoolean(7), r.getLong(8));
        });
  }

  /** Every channel row (since == null) or those created at or after since, with the token hash and integration. */
  Future<List<Known>> known(OffsetDateTime since) {
    return pool.preparedQuery("SELECT p.id, p.token_hash, c.integration_id, p.created_at FROM push_channels p "
            + "JOIN calendars c ON c.id = p.calendar_id WHERE $1::timestamptz IS NULL OR p.created_at >= $1")
        .execute(Tuple.of(since)).map(rs -> {
          List<Known> out = new ArrayList<>(rs.size());
          for (Row r : rs) out.add(new Known(r.getString(0), r.getBuffer(1).getBytes(), r.getLong(2), r.getOffsetDateTime(3)));
          return out;
        });
  }

  /** Records an accepted message number (never lowers it). */
  Future<Void> recordMessage(String id, long number) {
    return recordMessage(pool, id, number);
  }

  /** Records accepted message numbers of many channels, on the caller's connection (never lowers one); ids distinct. */
  static Future<Void> recordMessages(SqlClient client, String[] ids, Long[] numbers) {
    return client.preparedQuery("UPDATE push_channels p SET last_message_number = GREATEST(p.last_message_number, x.n) "
        + "FROM unnest($1::text[], $2::bigint[]) AS x(id, n) WHERE p.id = x.id")
        .execute(Tuple.tuple().addValue(ids).addValue(numbers)).mapEmpty();
  }

  private static Future<Void> recordMessage(SqlClient client, String id, long number) {
    return client.preparedQuery("UPDATE push_channels SET last_message_number = GREATEST(last_message_number, $2) WHERE id = $1")
        .execute(Tuple.of(id, number)).mapEmpty();
  }

  /**
   * Calendars that count as busy, of active integrations, without a live channel that is still far from expiry: no channel yet, or the
   * newest one expires within renewBeforeSeconds (at most half its lifetime). Pending channels count as live for
   * {@link #PENDING_SECONDS}; a calendar whose watch failed waits {@link #WATCH_RETRY_SECONDS}.
   */
  Future<List<Target>> needingChannel(long renewBeforeSeconds, int limit) {
    return pool.preparedQuery("SELECT c.id, c.integration_id, c.google_calendar_id FROM calendars c "
            + "JOIN user_integrations u ON u.id = c.integration_id WHERE u.status = 'active' AND c.busy AND NOT EXISTS ("
            + "SELECT 1 FROM push_channels p WHERE p.calendar_id = c.id AND p.stopped_at IS NULL "
            + "AND p.expires_at - LEAST(make_interval(secs => $1), (p.expires_at - p.created_at) / 2) > now() "
            + "AND (p.resource_id IS NOT NULL OR p.created_at > now() - make_interval(secs => $3))) "
            + "AND NOT EXISTS (SELECT 1 FROM push_channels f WHERE f.calendar_id = c.id AND f.stop_reason = 'watch_failed' "
            + "AND f.stopped_at > now() - make_interval(secs => $4)) "
            + "ORDER BY c.id LIMIT $2")
        .execute(Tuple.of((double) renewBeforeSeconds, limit, (double) PENDING_SECONDS, (double) WATCH_RETRY_SECONDS)).map(rs -> {
          List<Target> out = new ArrayList<>(rs.size());
          for (Row r : rs) out.add(new Target(r.getLong(0), r.getLong(1), r.getString(2)));
          return out;
        });
  }

  Future<Void> insertPending(String id, long calendarId, byte[] tokenHash, OffsetDateTime expiresAt) {
    return pool.preparedQuery("INSERT INTO push_channels (id, calendar_id, token_hash, expires_at) VALUES ($1, $2, $3, $4)")
        .execute(Tuple.of(id, calendarId, Buffer.buffer(tokenHash), expiresAt)).mapEmpty();
  }

  Future<Void> confirm(String id, String resourceId, OffsetDateTime expiresAt) {
    return pool.preparedQuery("UPDATE push_channels SET resource_id = $2, expires_at = $3 WHERE id = $1")
        .execute(Tuple.of(id, resourceId, expiresAt)).mapEmpty();
  }

  Future<Void> markStopped(String id, String reason) {
    return pool.preparedQuery("UPDATE push_channels SET stopped_at = now(), stop_reason = $2 WHERE id = $1 AND stopped_at IS NULL")
        .execute(Tuple.of(id, reason)).mapEmpty();
  }

  /**
   * Claims channels that are due to stop: expired (reason "renewed" when a newer live channel exists for the
   * calendar, else "expired"), of integrations that are no longer active (reason = their status), of calendars that no
   * longer count as busy or left the calendar list ("calendar_not_busy"), or pending too long.
   */
  Future<List<Stopped>> claimDue(int limit) {
    return pool.preparedQuery("WITH due AS (SELECT p.id, c.integration_id, u.status, c.busy, p.expires_at <= now() AS expired, "
            + "EXISTS (SELECT 1 FROM push_channels n WHERE n.calendar_id = p.calendar_id AND n.id <> p.id "
            + "  AND n.stopped_at IS NULL AND n.created_at > p.created_at) AS renewed "
            + "FROM push_channels p JOIN calendars c ON c.id = p.calendar_id JOIN user_integrations u ON u.id = c.integration_id "
            + "WHERE p.stopped_at IS NULL AND (u.status <> 'active' OR NOT c.busy OR p.expires_at <= now() "
            + "  OR (p.resource_id IS NULL AND p.created_at < now() - make_interval(secs => $2))) "
            + "ORDER BY p.expires_at LIMIT $1 FOR UPDATE OF p SKIP LOCKED) "
            + "UPDATE push_channels p SET stopped_at = now(), stop_reason = CASE WHEN due.status <> 'active' THEN due.status "
            + "  WHEN NOT due.busy THEN 'calendar_not_busy' "
            + "  WHEN NOT due.expired THEN 'watch_unconfirmed' WHEN due.renewed THEN 'renewed' ELSE 'expired' END "
            + "FROM due WHERE p.id = due.id AND p.stopped_at IS NULL "
            + "RETURNING p.id, due.integration_id, p.resource_id, p.stop_reason")
        .execute(Tuple.of(limit, (double) PENDING_SECONDS)).map(Channels::stopped);
  }

  /** Claims every live channel of an integration (it was disconnected or needs reconnecting). */
  Future<List<Stopped>> claimOfIntegration(long integrationId, String reason) {
    return pool.preparedQuery("UPDATE push_channels p SET stopped_at = now(), stop_reason = $2 FROM calendars c "
            + "WHERE c.id = p.calendar_id AND c.integration_id = $1 AND p.stopped_at IS NULL "
            + "RETURNING p.id, c.integration_id, p.resource_id, p.stop_reason")
        .execute(Tuple.of(integrationId, reason)).map(Channels::stopped);
  }

  /** Forgets channels stopped more than retentionDays ago (failed watch attempts after one day). */
  Future<Integer> purgeStopped(int retentionDays) {
    return pool.preparedQuery("DELETE FROM push_channels WHERE stopped_at < now() - make_interval(days => $1) "
            + "OR (stop_reason = 'watch_failed' AND stopped_at < now() - interval '1 day')")
        .execute(Tuple.of(retentionDays)).map(RowSet::rowCount);
  }

  /** Counts by state (active, expiring = live and due for renewal, expired = not yet stopped, stopped) and next expiry. */
  Future<JsonObject> stats(long renewBeforeSeconds) {
    return pool.preparedQuery("SELECT count(*) FILTER (WHERE stopped_at IS NULL AND expires_at > now()), "
            + "count(*) FILTER (WHERE stopped_at IS NULL AND expires_at > now() "
            + "  AND expires_at - LEAST(make_interval(secs => $1), (expires_at - created_at) / 2) <= now()), "
            + "count(*) FILTER (WHERE stopped_at IS NULL AND expires_at <= now()), "
            + "count(*) FILTER (WHERE stopped_at IS NOT NULL), "
            + "COALESCE(EXTRACT(EPOCH FROM min(expires_at) FILTER (WHERE stopped_at IS NULL AND expires_at > now()) - now()), -1)::float8 "
            + "FROM push_channels")
        .execute(Tuple.of((double) renewBeforeSeconds)).map(rs -> {
          Row r = rs.iterator().next();
          return new JsonObject().put("active", r.getLong(0)).put("expiring", r.getLong(1)).put("expired", r.getLong(2))
              .put("stopped", r.getLong(3)).put("nextExpirySeconds", r.getDouble(4));
        });
  }

  private static List<Stopped> stopped(RowSet<Row> rs) {
    List<Stopped> out = new ArrayList<>(rs.size());
    for (Row r : rs) out.add(new Stopped(r.getString(0), r.getLong(1), r.getString(2), r.getString(3)));
    return out;
  }
}
