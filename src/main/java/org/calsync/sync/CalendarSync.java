package org.calsync.sync;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.calsync.config.SyncConfig;
import org.calsync.db.Calendars;
import org.calsync.db.Calendars.Calendar;
import org.calsync.google.CalendarClient;
import org.calsync.google.AccessTokens;
import org.calsync.google.GoogleApiException;
import org.calsync.google.GoogleErrors;
import org.calsync.mirror.BusyBlocks;
import org.calsync.mirror.Mirror;
import org.calsync.mirror.Mirror.EventRow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sync algorithm of Google's "Synchronize resources efficiently" guide, per calendar of an integration:
 * incremental with the stored sync token, following pages, applied in one transaction with the new token; a full
 * listing when there is no token or Google answers 410, applied page by page and finished by removing what Google no
 * longer lists. The token is stored only after the last page. Deletions beyond sync.maxDeleteShare are refused.
 */
public final class CalendarSync {
  private static final Logger log = LoggerFactory.getLogger(CalendarSync.class);

  private final Vertx vertx;
  private final Pool pool;
  private final CalendarClient client;
  private final Calendars calendars;
  private final SyncConfig config;
  private final GoogleThrottle throttle;
  private final RetryPolicy policy;
  private final AccessTokens tokens;
  private final SyncMetrics metrics;
  private final BusyBlocks busy;
  private final AsyncSemaphore fullSyncs;

  /** busy: keeps booking's busy_blocks in step, in the same transactions as the mirror (null: no busy blocks). */
  public CalendarSync(Vertx vertx, Pool pool, CalendarClient client, SyncConfig config, GoogleThrottle throttle,
                      RetryPolicy policy, SyncMetrics metrics, BusyBlocks busy) {
    this.vertx = vertx;
    this.pool = pool;
    this.client = client;
    this.calendars = new Calendars(pool);
    this.config = config;
    this.throttle = throttle;
    this.policy = policy;
    this.tokens = new AccessTokens(vertx.eventBus());
    this.metrics = metrics;
    this.busy = busy;
    this.fullSyncs = new AsyncSemaphore(config.maxFullSyncs());
  }

  /**
   * Syncs every calendar of the integration. allowMassDelete lifts the deletion guard (operator's explicit choice);
   * callsByStatus receives the outcome of every Google call, also when the sync fails (for the audit); known: the
   * integration's calendars as read with the job (null: read them here).
   */
  public Future<SyncResult> sync(long integrationId, boolean allowMassDelete, java.util.Map<String, Integer> callsByStatus,
                                 List<Calendar> known) {
    GoogleCall google = new GoogleCall(vertx, throttle, policy, tokens, integrationId, metrics, callsByStatus);
    return google.init()
        .compose(v -> known != null ? Future.succeededFuture(known) : calendars.of(integrationId))
        .compose(cals -> cals.isEmpty() ? discover(google, integrationId) : Future.succeededFuture(cals))
        .compose(cals -> {
          Future<SyncResult> chain = Future.succeededFuture(SyncResult.EMPTY);
          for (Calendar cal : cals) {
            chain = chain.compose(acc -> syncCalendar(google, cal, allowMassDelete).map(acc::plus));
          }
          return chain;
        })
        .map(r -> r.withGoogleCalls(google.calls));
  }

  /** First sync of an integration: find its primary calendar. */
  private Future<List<Calendar>> discover(GoogleCall google, long integrationId) {
    return google.run("calendarList.list", token -> client.calendarList(token, null)).compose(list -> {
      if (!(list.getValue("items") instanceof JsonArray items)) {
        return Future.failedFuture(GoogleErrors.malformed("calendarList.list", "no 'items' array"));
      }
      for (Object o : items) {
        if (o instanceof JsonObject entry && Boolean.TRUE.equals(entry.getValue("primary")) && entry.getValue("id") instanceof String id) {
          return calendars.upsert(integrationId, id, entry.getString("timeZone", "UTC"), true).map(List::of);
        }
      }
      return Future.failedFuture(GoogleErrors.malformed("calendarList.list", "no primary calendar listed"));
    });
  }

  private Future<SyncResult> syncCalendar(GoogleCall google, Calendar cal, boolean allowMassDelete) {
    if (cal.syncToken() == null) return full(google, cal, allowMassDelete);
    return incremental(google, cal, allowMassDelete).recover(err -> {
      if (err instanceof GoogleApiException e && e.kind() == GoogleApiException.Kind.FULL_SYNC) {
        log.atInfo().setMessage("sync token rejected, full resync").addKeyValue("integration", cal.integrationId())
            .addKeyValue("calendar", cal.id()).addKeyValue("reason", e.reason()).log();
        return calendars.clearSyncToken(cal.id()).compose(v -> full(google, cal, allowMassDelete));
      }
      return Future.failedFuture(err);
    });
  }

  // ---- incremental: gather every page, then apply atomically with the new token

  private Future<SyncResult> incremental(GoogleCall google, Calendar cal, boolean allowMassDelete) {
    List<Object> items = new ArrayList<>();
    return pages(google, cal, cal.syncToken(), null, items, 0).compose(end -> {
      EventMapper mapper = new EventMapper(cal.timeZone(), config.storeEventText());
      List<EventRow> upserts = new ArrayList<>();
      Set<String> deletions = new HashSet<>();
      try {
        for (Object item : items) {
          JsonObject e = (JsonObject) item;
          String id = EventMapper.idOf(e);
          if (EventMapper.isDeletion(e)) {
            deletions.add(id);
          } else {
            deletions.remove(id);
            upserts.add(mapper.map(e));
          }
        }
      } catch (IllegalArgumentException | ClassCastException ex) {
        return Future.failedFuture(GoogleErrors.malformed("events.list", ex.getMessage()));
      }
      upserts.removeIf(r -> deletions.contains(r.id()));
      if (upserts.isEmpty() && deletions.isEmpty()) {
        return Future.succeededFuture(new SyncResult(1, 0, 0, end.pages, false, 0, Map.of(cal.id(), end.token)));
      }
      return pool.withTransaction(conn -> {
        Future<Void> guard = deletions.isEmpty() || allowMassDelete ? Future.succeededFuture()
            : Mirror.count(conn, cal.id()).compose(total -> checkDeletes(cal.id(), deletions.size(), total));
        return guard
            .compose(v -> Mirror.upsert(conn, cal.id(), upserts))
            .compose(v -> Mirror.delete(conn, cal.id(), deletions))
            .compose(deleted -> busy == null ? Future.succeededFuture(deleted.count())
                : busy.afterChanges(conn, cal.id(), cal.timeZone(), upserts, deletions, deleted.series()).map(deleted.count()))
            .compose(deleted -> Calendars.saveSyncToken(conn, cal.id(), end.token, false)
                .map(v -> new SyncResult(1, upserts.size(), deleted, end.pages, false, 0)));
      });
    });
  }

  // ---- full: apply page by page, sweep at the end

  /** Full listings hold whole pages in memory: at most sync.maxFullSyncs run at once. */
  private Future<SyncResult> full(GoogleCall google, Calendar cal, boolean allowMassDelete) {
    return fullSyncs.run(() -> fullListing(google, cal, allowMassDelete));
  }

  private Future<SyncResult> fullListing(GoogleCall google, Calendar cal, boolean allowMassDelete) {
    int[] upserted = {0};
    EventMapper mapper = new EventMapper(cal.timeZone(), config.storeEventText());
    // Rows this listing upserts get synced_at >= started; what is older was not listed and is swept at the end.
    return Mirror.now(pool).compose(started -> fullPages(google, cal, mapper, null, upserted, 0).compose(end ->
        pool.withTransaction(conn -> Mirror.sweepCounts(conn, cal.id(), started).compose(counts -> {
          Future<Void> guard = allowMassDelete ? Future.succeededFuture() : checkDeletes(cal.id(), counts[1], counts[0]);
          return guard.compose(v -> Mirror.sweep(conn, cal.id(), started))
              .compose(deleted -> busy == null ? Future.succeededFuture(deleted)
                  : busy.afterFull(conn, cal.id(), cal.timeZone()).map(deleted))
              .compose(deleted -> Calendars.saveSyncToken(conn, cal.id(), end.token, true)
                  .map(v -> new SyncResult(1, upserted[0], deleted, end.pages, true, 0)));
        }))));
  }

  private Future<End> fullPages(GoogleCall google, Calendar cal, EventMapper mapper, String pageToken,
                                int[] upserted, int pages) {
    return page(google, cal, null, pageToken).compose(page -> {
      List<EventRow> rows = new ArrayList<>();
      try {
        for (Object item : page.items) {
          JsonObject e = (JsonObject) item;
          if (EventMapper.isDeletion(e)) continue;
          EventRow row = mapper.map(e);
          rows.add(row);
        }
      } catch (IllegalArgumentException | ClassCastException ex) {
        return Future.failedFuture(GoogleErrors.malformed("events.list", ex.getMessage()));
      }
      upserted[0] += rows.size();
      // the parsed page is not referenced past this point, so it can be collected while the rows are written
      String next = page.nextPageToken;
      String syncToken = page.nextSyncToken;
      return Mirror.upsert(pool, cal.id(), rows).compose(v -> next != null
          ? fullPages(google, cal, mapper, next, upserted, pages + 1)
          : Future.succeededFuture(new End(syncToken, pages + 1)));
    });
  }

  private Future<Void> checkDeletes(long calendarId, long wouldDelete, long total) {
    if (wouldDelete <= config.maxDeleteMinimum() || wouldDelete <= config.maxDeleteShare() * total) return Future.succeededFuture();
    return Future.failedFuture(new MassDeletionRefused(calendarId, wouldDelete, total, config.maxDeleteShare()));
  }

  // ---- pages

  private record End(String token, int pages) {
  }

  private record Page(JsonArray items, String nextPageToken, String nextSyncToken) {
  }

  private Future<End> pages(GoogleCall google, Calendar cal, String syncToken, String pageToken, List<Object> into, int pages) {
    return page(google, cal, syncToken, pageToken).compose(page -> {
      for (Object item : page.items) into.add(item);
      return page.nextPageToken != null ? pages(google, cal, syncToken, page.nextPageToken, into, pages + 1)
          : Future.succeededFuture(new End(page.nextSyncToken, pages + 1));
    });
  }

  private Future<Page> page(GoogleCall google, Calendar cal, String syncToken, String pageToken) {
    return google.run("events.list", token -> client.listEvents(token, cal.googleId(), syncToken, pageToken, config.pageSize())
        .compose(CalendarSync::validate));
  }

  static Future<Page> validate(JsonObject body) {
    Object items = body.getValue("items");
    Object next = body.getValue("nextPageToken");
    Object sync = body.getValue("nextSyncToken");
    if (items != null && !(items instanceof JsonArray)) return Future.failedFuture(GoogleErrors.malformed("events.list", "'items' is not an array"));
    if (next != null && !(next instanceof String)) return Future.failedFuture(GoogleErrors.malformed("events.list", "'nextPageToken' is not a string"));
    if (sync != null && !(sync instanceof String)) return Future.failedFuture(GoogleErrors.malformed("events.list", "'nextSyncToken' is not a string"));
    if (next == null && sync == null) return Future.failedFuture(GoogleErrors.malformed("events.list", "page has neither nextPageToken nor nextSyncToken"));
    return Future.succeededFuture(new Page(items == null ? new JsonArray() : (JsonArray) items, (String) next, next == null ? (String) sync : null));
  }
}
