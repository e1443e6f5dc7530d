package org.calsync.booking;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.calsync.booking.Requests.Who;
import org.calsync.config.BookingConfig;
import org.calsync.db.Notices;
import org.calsync.mirror.BusyBlocks;
import org.calsync.mirror.BusyExpansion;
import org.calsync.mirror.BusyExpansion.Block;
import org.calsync.mirror.BusyExpansion.Source;

/** Reads of busy time: which calendars a request covers, the blocks overlapping a range, and conflict reports. */
final class BusyQueries {
  /** The calendars behind a request; found=false when no integration matched. */
  record Scope(boolean found, List<Long> integrationIds, Long[] calendarIds, boolean stale) {
  }

  /** A busy interval clipped to the requested range. */
  record Busy(Instant start, Instant end, String eventId, String appointmentId) {
  }

  private final Vertx vertx;
  private final Pool pool;
  private final BookingConfig config;
  private final CheckBatch batch;

  /** batch: the reads of {@link #check} (null: this instance serves no checks). */
  BusyQueries(Vertx vertx, Pool pool, BookingConfig config, CheckBatch batch) {
    this.vertx = vertx;
    this.pool = pool;
    this.config = config;
    this.batch = batch;
  }

  Future<Scope> scope(Who who, int staleMinutes) {
    String sql = "SELECT u.id, c.id, c.last_sync_at IS NULL OR c.last_sync_at < now() - make_interval(mins => $2) "
        + "FROM user_integrations u LEFT JOIN calendars c ON c.integration_id = u.id AND c.busy WHERE "
        + (who.integrationId() != null ? "u.id = $1" : "u.user_id = $1 AND u.status <> 'disconnected'");
    long id = who.integrationId() != null ? who.integrationId() : who.userId();
    return pool.preparedQuery(sql).execute(Tuple.of(id, staleMinutes)).map(rs -> {
      List<Long> integrations = new ArrayList<>();
      List<Long> calendars = new ArrayList<>();
      boolean stale = false;
      for (Row r : rs) {
        if (!integrations.contains(r.getLong(0))) integrations.add(r.getLong(0));
        if (r.getLong(1) == null) stale = true;
        else calendars.add(r.getLong(1));
        if (Boolean.TRUE.equals(r.getBoolean(2))) stale = true;
      }
      return new Scope(!integrations.isEmpty(), integrations, calendars.toArray(new Long[0]), stale);
    });
  }

  /**
   * How fresh one calendar's answer is: its last successful sync (null: never), whether that counts as stale, and
   * whether its busy time was expanded from the mirror on demand (the range is outside the stored busy_blocks).
   */
  record Freshness(long integrationId, long calendarId, OffsetDateTime syncedAt, boolean stale, boolean onDemand) {
    JsonObject toJson() {
      return new JsonObject().put("integrationId", integrationId).put("calendarId", calendarId)
          .put("syncedAt", iso(syncedAt)).put("stale", stale).put("expandedOnDemand", onDemand);
    }
  }

  /** The scope of a request, its busy blocks overlapping [start, end), and each calendar's freshness. */
  record Checked(Scope scope, List<Busy> busy, List<Freshness> calendars) {
    JsonArray freshness() {
      JsonArray out = new JsonArray();
      calendars.forEach(c -> out.add(c.toJson()));
      return out;
    }
  }

  /** A request reaching past booking.maxAheadDays (answered with FailureCode.OUT_OF_RANGE). */
  static org.calsync.bus.BusFailure outOfRange(int maxAheadDays) {
    return new org.calsync.bus.BusFailure(org.calsync.bus.FailureCode.OUT_OF_RANGE, "the range ends more than "
        + "booking.maxAheadDays (" + maxAheadDays + " days) ahead; calsync does not cover it");
  }

  /**
   * Scope and overlapping blocks in one read ({@link CheckBatch}, which shares the statement with concurrent checks):
   * the calendars of the request (integration, calendar, stale, last sync, busy_until, zone) and the blocks
   * overlapping [start, end) (a block is at most {@link BusyExpansion#MAX_PIECE} long, so the range scan of
   * (calendar_id, start_at) starts there), excluding excludeAppointment's own event, recognised by its marker or, when
   * the marker was stripped in Google, by its derived event id ({@link EventIds}). A calendar whose stored blocks do
   * not cover the range (past its busy_until, before the rebuild's past margin, never expanded) has the range expanded
   * from its mirror rows on demand instead. Blocks come clipped, the pieces of one event merged, sorted by start.
   */
  Future<Checked> check(Who who, Instant start, Instant end, String excludeAppointment, int staleMinutes) {
    Instant now = Instant.now();
    if (end.isAfter(now.plus(Duration.ofDays(config.maxAheadDays())))) {
      return Future.failedFuture(outOfRange(config.maxAheadDays()));
    }
    return batch.read(new CheckBatch.Check(who, Appointments.utc(start), Appointments.utc(end),
            Appointments.utc(start.minus(BusyExpansion.MAX_PIECE)), excludeAppointment,
            excludeAppointment == null ? null : EventIds.forAppointment(excludeAppointment), staleMinutes))
        .compose(rs -> {
          List<Long> integrations = new ArrayList<>();
          List<Long> calendars = new ArrayList<>();
          Map<Long, String> uncovered = new LinkedHashMap<>();
          List<Freshness> fresh = new ArrayList<>();
          boolean stale = false;
          List<Busy> raw = new ArrayList<>();
          Instant coveredFrom = now.minus(BusyBlocks.PAST);
          for (Row r : rs) {
            if (r.getInteger(0) == 0) {
              if (!integrations.contains(r.getLong(2))) integrations.add(r.getLong(2));
              if (r.getLong(3) == null) {
                stale = true;
                continue;
              }
              calendars.add(r.getLong(3));
              if (Boolean.TRUE.equals(r.getBoolean(4))) stale = true;
              OffsetDateTime until = r.getOffsetDateTime(6);
              boolean onDemand = until == null || end.isAfter(until.toInstant()) || start.isBefore(coveredFrom);
              if (onDemand) uncovered.put(r.getLong(3), r.getString(7));
              fresh.add(new Freshness(r.getLong(2), r.getLong(3), r.getOffsetDateTime(5), Boolean.TRUE.equals(r.getBoolean(4)),
                  onDemand));
            } else {
              raw.add(new Busy(max(r.getOffsetDateTime(5).toInstant(), start), min(r.getOffsetDateTime(6).toInstant(), end),
                  r.getString(7), r.getString(8)));
            }
          }
          Scope scope = new Scope(!integrations.isEmpty(), integrations, calendars.toArray(new Long[0]), stale);
          return onDemand(uncovered, start, end, excludeAppointment).map(more -> {
            raw.addAll(more);
            return new Checked(scope, merge(raw), fresh);
          });
        });
  }

  /**
   * Busy time of the given calendars (id to zone) in [start, end), expanded from their mirror rows on a worker thread:
   * every recurring master that starts before end with its exceptions, and the other rows overlapping the range.
   */
  private Future<List<Busy>> onDemand(Map<Long, String> calendars, Instant start, Instant end, String exclude) {
    if (calendars.isEmpty()) return Future.succeededFuture(List.of());
    return pool.preparedQuery("SELECT calendar_id, " + BusyBlocks.SOURCE_COLUMNS + ", "
            + "(SELECT a.google_event_id FROM appointments a WHERE a.id = $4) FROM calendar_events "
            + "WHERE calendar_id = ANY($1) AND ((recurrence IS NOT NULL AND recurring_event_id IS NULL AND start_at < $3) "
            + "OR (start_at < $3 AND end_at > $2) OR (recurring_event_id IS NOT NULL AND original_start < $3))")
        .execute(Tuple.of(calendars.keySet().toArray(new Long[0]), Appointments.utc(start), Appointments.utc(end), exclude))
        .compose(rs -> {
          Map<Long, List<Source>> rows = new HashMap<>();
          String excludedEvent = null;
          for (Row r : rs) {
            rows.computeIfAbsent(r.getLong(0), k -> new ArrayList<>()).add(BusyBlocks.source(r, 1));
            excludedEvent = r.getString(13);
          }
          if (rows.isEmpty()) return Future.succeededFuture(List.<Busy>of()); // nothing to expand: no worker hop
          String ownEvent = excludedEvent;
          String derived = exclude == null ? null : EventIds.forAppointment(exclude);
          return vertx.executeBlocking(() -> {
            List<Busy> out = new ArrayList<>();
            rows.forEach((calendarId, sources) -> {
              for (Block b : BusyExpansion.expand(sources, BusyBlocks.zone(calendars.get(calendarId)), start, end).blocks()) {
                if (exclude != null && (exclude.equals(b.appointmentId()) || b.eventId().equals(derived)
                    || b.eventId().equals(ownEvent))) {
                  continue;
                }
                out.add(new Busy(b.start(), b.end(), b.eventId(), b.appointmentId()));
              }
            });
            return out;
          }, false);
        });
  }

  /** Merges touching pieces of the same event; sorted by start. */
  static List<Busy> merge(List<Busy> raw) {
    raw.sort((a, b) -> a.start().compareTo(b.start()));
    Map<String, List<Busy>> byEvent = new LinkedHashMap<>();
    for (Busy p : raw) {
      List<Busy> list = byEvent.computeIfAbsent(p.eventId(), k -> new ArrayList<>());
      Busy last = list.isEmpty() ? null : list.get(list.size() - 1);
      if (last != null && !p.start().isAfter(last.end())) {
        list.set(list.size() - 1, new Busy(last.start(), max(last.end(), p.end()), p.eventId(), last.appointmentId()));
      } else {
        list.add(p);
      }
    }
    List<Busy> out = new ArrayList<>();
    byEvent.values().forEach(out::addAll);
    out.sort((a, b) -> a.start().compareTo(b.start()));
    return out;
  }

  /** Busy merged across events (sorted, disjoint) and its complement within [start, end). */
  static JsonObject freeBusy(List<Busy> blocks, Instant start, Instant end) {
    JsonArray busy = new JsonArray();
    JsonArray free = new JsonArray();
    Instant cursor = start;
    Instant curStart = null;
    Instant curEnd = null;
    for (Busy b : blocks) {
      if (curEnd != null && !b.start().isAfter(curEnd)) {
        curEnd = max(curEnd, b.end());
        continue;
      }
      if (curEnd != null) {
        busy.add(interval(curStart, curEnd));
        cursor = curEnd;
      }
      if (b.start().isAfter(cursor)) free.add(interval(cursor, b.start()));
      curStart = b.start();
      curEnd = b.end();
    }
    if (curEnd != null) {
      busy.add(interval(curStart, curEnd));
      cursor = curEnd;
    }
    if (cursor.isBefore(end)) free.add(interval(cursor, end));
    return new JsonObject().put("busy", busy).put("free", free);
  }

  /**
   * Records overlaps between booked future appointments of the integration and Google busy time that is not ours
   * (neither marked as an appointment's event nor, the marker stripped in Google, the event of one of the
   * integration's appointments), returning only the ones not reported before; each new one is appended as a
   * booking.conflict notice in the same transaction.
   */
  Future<List<JsonObject>> newConflicts(long integrationId) {
    return pool.withTransaction(conn -> conn.preparedQuery("INSERT INTO conflict_reports (appointment_id, appt_start, event_id, busy_start, busy_end, "
            + "integration_id) SELECT a.id, a.start_at, b.event_id, b.start_at, b.end_at, a.integration_id "
            + "FROM appointments a JOIN calendars c ON c.integration_id = a.integration_id "
            + "JOIN busy_blocks b ON b.calendar_id = c.id AND b.start_at < a.end_at "
            + "AND b.start_at > a.start_at - make_interval(secs => $2) AND b.end_at > a.start_at "
            + "WHERE a.integration_id = $1 AND a.status = 'booked' AND a.end_at > now() AND b.appointment_id IS NULL "
            + "AND NOT EXISTS (SELECT 1 FROM appointments o WHERE o.google_event_id = b.event_id "
            + "AND o.integration_id = a.integration_id) "
            + "ON CONFLICT DO NOTHING RETURNING appointment_id, appt_start, event_id, busy_start, busy_end, "
            + "(SELECT end_at FROM appointments x WHERE x.id = appointment_id)")
        .execute(Tuple.of(integrationId, (double) BusyExpansion.MAX_PIECE.toSeconds()))
        .map(rs -> {
          List<JsonObject> out = new ArrayList<>();
          String now = Instant.now().toString();
          for (Row r : rs) {
            out.add(new JsonObject().put("integrationId", integrationId).put("appointmentId", r.getString(0))
                .put("appointmentStart", iso(r.getOffsetDateTime(1))).put("appointmentEnd", iso(r.getOffsetDateTime(5)))
                .put("eventId", r.getString(2)).put("busyStart", iso(r.getOffsetDateTime(3)))
                .put("busyEnd", iso(r.getOffsetDateTime(4))).put("detectedAt", now));
          }
          return out;
        })
        .compose(out -> {
          Future<Void> chain = Future.succeededFuture();
          for (JsonObject c : out) chain = chain.compose(v -> Notices.appendFor(conn, Notices.BOOKING_CONFLICT, integrationId, c).mapEmpty());
          return chain.map(out);
        }));
  }

  static JsonObject interval(Instant s, Instant e) {
    return new JsonObject().put("start", s.toString()).put("end", e.toString());
  }

  private static String iso(OffsetDateTime t) {
    return t == null ? null : t.toInstant().toString();
  }

  private static Instant max(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }
}
