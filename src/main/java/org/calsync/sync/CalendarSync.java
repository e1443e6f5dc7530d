package org.calsync.sync;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import org.calsync.config.SyncConfig;
import org.calsync.db.Calendars;
import org.calsync.db.Calendars.Calendar;
import org.calsync.db.JobQueue;
import org.calsync.google.AsyncSemaphore;
import org.calsync.google.Google;
import org.calsync.google.GoogleApiException;
import org.calsync.google.GoogleCall;
import org.calsync.google.GoogleErrors;
import org.calsync.mirror.BusyBlocks;
import org.calsync.mirror.Mirror;
import org.calsync.mirror.Mirror.EventRow;
import org.calsync.mirror.SkippedEvents;
import org.calsync.mirror.StagedDeletions;
import org.calsync.mirror.WholeListing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sync algorithm of Google's "Synchronize resources efficiently" guide, per calendar of an integration:
 * incremental with the stored sync token, following pages, each page applied as it comes (its deletions staged in the
 * database) and the staged deletions applied with the new token once the listing is complete; a full listing when
 * there is no token or Google answers 410, applied page by page and finished by removing what Google no longer lists.
 * Either way one page is held in memory at a time, the token is stored only after the last page, and a listing cut
 * short is simply repeated from the old token (applying a page again changes nothing). Deletions of mirrored rows
 * beyond sync.maxDeleteShare are refused. An event that cannot be mapped is skipped and recorded (skipped_events).
 */
public final class CalendarSync {
  private static final Logger log = LoggerFactory.getLogger(CalendarSync.class);

  private final Pool pool;
  private final Google google;
  private final Calendars calendars;
  private final SyncConfig config;
  private final BusyBlocks busy;
  private final AsyncSemaphore fullSyncs;
  private final CalendarDiscovery discovery;
  private final String worker;

  /**
   * busy: keeps booking's busy_blocks in step, in the same transactions as the mirror (null: no busy blocks); worker:
   * the worker whose jobs this syncs (sync tokens are stored or cleared only while it holds the job).
   */
  public CalendarSync(Pool pool, Google google, SyncConfig config, BusyBlocks busy, String worker) {
    this.worker = worker;
    this.pool = pool;
    this.google = google;
    this.calendars = new Calendars(pool);
    this.config = config;
    this.busy = busy;
    this.fullSyncs = new AsyncSemaphore(config.maxFullSyncs());
    this.discovery = new CalendarDiscovery(pool);
  }

  /**
   * Syncs every calendar of the integration that counts as busy, after rediscovering them with calendarList (added,
   * removed, access or selection changed: {@link CalendarDiscovery}; with listToken only the changes are asked for).
   * When calendarList fails nothing about the calendars changes and the ones already known are synced. allowMassDelete
   * lifts the deletion guard (operator's explicit choice); callsByStatus receives the outcome of every Google call, also
   * when the sync fails (for the audit); known: the integration's busy calendars as read with the job (null: read them
   * here); listToken: the stored calendarList sync token (null: list fully); active: the integration was read as active
   * just now (with the job); checkCalendars: false skips calendarList and syncs known as they are (the list was
   * checked recently: sync.calendarListMinutes; needs known). The result carries the calendarList token
   * to store: none when a calendar could not be read (its access may have changed: the next sync lists fully).
   * jobId: the job this sync runs for; once another worker holds it, every transaction of the sync (calendar
   * discovery's, each page's, a listing's last one that stores the sync token, the clearing of a refused token) fails
   * with {@link org.calsync.db.JobQueue.LeaseLost} instead of being written, and so does the sync.
   */
  public Future<SyncResult> sync(long jobId, long integrationId, boolean allowMassDelete, java.util.Map<String, Integer> callsByStatus,
                                 List<Calendar> known, String listToken, boolean active, boolean checkCalendars) {
    GoogleCall google = this.google.call(integrationId, callsByStatus, active);
    Hold hold = Hold.job(jobId, worker);
    boolean[] unreadable = {false};
    Future<CalendarDiscovery.Found> discovered = checkCalendars || known == null || listToken == null
        ? discovery.discover(google, integrationId, listToken, known, hold)
        : Future.succeededFuture(CalendarDiscovery.Found.unchecked(known, listToken));
    return discovered
        .recover(err -> knownAfterFailure(err, integrationId, known, listToken))
        .compose(found -> {
          Future<SyncResult> chain = Future.succeededFuture(SyncResult.EMPTY);
          for (Calendar cal : found.busy()) {
            chain = chain.compose(acc -> syncCalendar(google, hold, cal, allowMassDelete).recover(err -> {
              Future<SyncResult> skipped = unreadable(cal, err);
              if (skipped.succeeded()) unreadable[0] = true;
              return skipped;
            }).map(acc::plus));
          }
          return chain.map(r -> r.withCalendarList(unreadable[0] ? null : found.listToken(), found.listedFully(), found.checked()));
        })
        .map(r -> r.withGoogleCalls(google.calls()));
  }

  /**
   * When calendarList fails, the calendars already known are synced (none added or removed); a sync without any known
   * calendar, or whose job another worker now holds, fails as discovery did.
   */
  private Future<CalendarDiscovery.Found> knownAfterFailure(Throwable err, long integrationId, List<Calendar> known, String listToken) {
    if (err instanceof JobQueue.LeaseLost) return Future.failedFuture(err);
    return (known != null ? Future.succeededFuture(known) : calendars.of(integrationId)).compose(cals -> {
      if (cals.isEmpty()) return Future.failedFuture(err);
      log.atWarn().setMessage("calendarList failed; the calendars already known are synced, none added or removed")
          .addKeyValue("integration", integrationId).addKeyValue("error", err.getMessage()).log();
      return Future.succeededFuture(CalendarDiscovery.Found.unchecked(cals, listToken));
    });
  }

  /**
   * A calendar Google no longer lets us read (404, or 403 requiredAccessLevel) is skipped, its mirror kept: only a
   * successful calendarList answer that no longer lists it (or lists it at freeBusyReader) removes it. Other failures
   * fail the sync.
   */
  private static Future<SyncResult> unreadable(Calendar cal, Throwable err) {
    if (err instanceof GoogleApiException g && g.kind() == GoogleApiException.Kind.PERMANENT
        && (g.status() == 404 || g.status() == 403 && "requiredAccessLevel".equals(g.reason()))) {
      log.atWarn().setMessage("calendar not readable; skipped, its mirror kept until calendarList no longer lists it")
          .addKeyValue("integration", cal.integrationId()).addKeyValue("calendar", cal.googleId())
          .addKeyValue("status", g.status()).log();
      return Future.succeededFuture(SyncResult.EMPTY);
    }
    return Future.failedFuture(err);
  }

  /**
   * Any 410 on the incremental listing (whatever its reason: Google documents every 410 on a listing with a sync token
   * as "drop the token, list in full") leads to a full listing.
   */
  private Future<SyncResult> syncCalendar(GoogleCall google, Hold hold, Calendar cal, boolean allowMassDelete) {
    if (cal.syncToken() == null) return full(google, hold, cal, allowMassDelete);
    return incremental(google, hold, cal, allowMassDelete).recover(err -> {
      if (err instanceof GoogleApiException e && e.syncTokenGone()) {
        log.atInfo().setMessage("sync token rejected, full resync").addKeyValue("integration", cal.integrationId())
            .addKeyValue("calendar", cal.id()).addKeyValue("reason", e.reason()).log();
        return pool.withTransaction(conn -> hold.around(conn, () -> Calendars.clearSyncToken(conn, cal.id())))
            .compose(v -> full(google, hold, cal, allowMassDelete));
      }
      return Future.failedFuture(err);
    });
  }

  // ---- incremental: applied page by page; deletions are staged and applied with the new token at the end

  /** Staged deletions applied per statement at the end of an incremental listing. */
  private static final int DELETE_CHUNK = 1000;

  private Future<SyncResult> incremental(GoogleCall google, Hold hold, Calendar cal, boolean allowMassDelete) {
    UUID run = UUID.randomUUID();
    Tally tally = new Tally();
    EventMapper mapper = new EventMapper(cal.timeZone(), config.storeEventText());
    return listPages(google, cal, cal.syncToken(), mapper, changes -> applyIncrementalPage(hold, cal, run, changes, tally), null, 0)
        .compose(end -> {
          SyncResult result = new SyncResult(1, tally.upserted, 0, end.pages, false, 0, tally.skipped);
          if (tally.deletions == 0) return Future.succeededFuture(result.withPendingToken(cal.id(), end.token));
          return pool.withTransaction(conn -> hold.around(conn,
                  () -> allowMassDelete ? Future.succeededFuture(0L) : StagedDeletions.countMirrored(conn, run))
              .compose(n -> n == 0 ? Future.<Void>succeededFuture()
                  : Mirror.count(conn, cal.id()).compose(total -> checkDeletes(cal.id(), n, total)))
              .compose(v -> applyDeletions(conn, cal, run, 0))
              .compose(deleted -> Calendars.saveSyncToken(conn, cal.id(), end.token, false).map(v -> result.withDeleted(deleted))));
        })
        .onFailure(err -> {
          if (tally.deletions > 0) StagedDeletions.discard(pool, run, cal.id()).onFailure(e -> log.atWarn()
              .setMessage("discarding staged deletions failed (removed after a day)").addKeyValue("calendar", cal.id())
              .addKeyValue("error", e.getMessage()).log());
        });
  }

  /**
   * One page of an incremental listing, in one transaction: writes, staged deletions, skipped events, busy blocks; written
   * only while hold's check passes (a stale holder's late page could otherwise bring back an older version).
   */
  private Future<Void> applyIncrementalPage(Hold hold, Calendar cal, UUID run, PageChanges changes, Tally tally) {
    boolean staged = tally.deletions > 0;
    tally.add(cal, changes);
    if (changes.isEmpty()) return Future.succeededFuture();
    List<String> upsertIds = changes.upserts().stream().map(EventRow::id).toList();
    // the statements are pipelined: sent without waiting for each other, they run in this order
    return pool.withTransaction(conn -> hold.around(conn, () -> Future.all(List.of(
        Mirror.upsert(conn, cal.id(), changes.upserts()),
        staged ? StagedDeletions.unstage(conn, run, upsertIds) : Future.succeededFuture(),
        StagedDeletions.stage(conn, run, cal.id(), changes.deletions()),
        SkippedEvents.record(conn, cal.id(), changes.skipped()),
        SkippedEvents.clear(conn, cal.id(), upsertIds),
        busy == null || changes.upserts().isEmpty() ? Future.succeededFuture()
            : busy.afterChanges(conn, cal.id(), cal.timeZone(), changes.upserts(), List.of(), Set.of()))))).mapEmpty();
  }

  /** Applies the run's staged deletions chunk by chunk (inside the final transaction); returns the rows removed. */
  private Future<Integer> applyDeletions(SqlConnection conn, Calendar cal, UUID run, int deleted) {
    return StagedDeletions.take(conn, run, DELETE_CHUNK).compose(ids -> {
      if (ids.isEmpty()) return Future.succeededFuture(deleted);
      return Mirror.delete(conn, cal.id(), ids).compose(d -> (busy == null ? Future.<Void>succeededFuture()
              : busy.afterChanges(conn, cal.id(), cal.timeZone(), List.of(), ids, d.series()))
          .compose(v -> SkippedEvents.clear(conn, cal.id(), ids))
          .compose(v -> applyDeletions(conn, cal, run, deleted + d.count())));
    });
  }

  // ---- full: apply page by page, sweep at the end

  /** Full listings hold whole pages in memory: at most sync.maxFullSyncs run at once. */
  private Future<SyncResult> full(GoogleCall google, Hold hold, Calendar cal, boolean allowMassDelete) {
    return fullSyncs.run(() -> fullListing(google, hold, cal, allowMassDelete));
  }

  private Future<SyncResult> fullListing(GoogleCall google, Hold hold, Calendar cal, boolean allowMassDelete) {
    Tally tally = new Tally();
    EventMapper mapper = new EventMapper(cal.timeZone(), config.storeEventText());
    Function<PageChanges, Future<Void>> apply = changes -> applyFullPage(hold, cal, changes, tally);
    return page(google, cal, null, null).compose(first -> {
      if (first.nextPageToken == null && busy != null) {
        // the parsed page is not referenced past this point, so it can be collected while the rows are written
        String token = first.nextSyncToken;
        return changes(first, mapper).compose(changes -> wholeListing(hold, cal, token, changes, tally, allowMassDelete));
      }
      // Rows this listing upserts get synced_at >= started; what is older was not listed and is swept at the end.
      // (started is read before the first page is applied, so it precedes every write of the listing.)
      return Mirror.now(pool).compose(started -> applyPage(google, cal, null, mapper, apply, first, 0)
          .compose(end -> sweep(hold, cal, started, end, tally, allowMassDelete)));
    });
  }

  /**
   * A full listing that came in one page: mirror, skipped events, busy blocks (expanded from the page, not re-read) and
   * token in one transaction ({@link WholeListing}); the mass-deletion guard refuses before it commits, so a refused
   * listing writes nothing, nor does one whose job another worker holds now (a stale holder's older listing).
   */
  private Future<SyncResult> wholeListing(Hold hold, Calendar cal, String token, PageChanges changes, Tally tally, boolean allowMassDelete) {
    // with skipped events the blocks of their kept rows are unknown here: the general rebuild reads them
    if (!changes.skipped().isEmpty()) return Mirror.now(pool).compose(started -> applyFullPage(hold, cal, changes, tally)
        .compose(v -> sweep(hold, cal, started, new End(token, 1), tally, allowMassDelete)));
    tally.add(cal, changes);
    return busy.plan(cal.timeZone(), changes.upserts()).compose(planned -> pool.withTransaction(conn -> hold.around(conn,
            () -> WholeListing.write(conn, cal.id(), cal.integrationId(), token, changes.upserts(), changes.skipped(), planned))
        .compose(swept -> (allowMassDelete ? Future.<Void>succeededFuture() : checkDeletes(cal.id(), swept.deleted(), swept.total()))
            .map(x -> new SyncResult(1, tally.upserted, (int) swept.deleted(), 1, true, 0, tally.skipped)))));
  }

  /**
   * The end of a full listing of several pages: the sweep of what it did not list, busy blocks and the token, written
   * only while this worker holds the job.
   */
  private Future<SyncResult> sweep(Hold hold, Calendar cal, java.time.OffsetDateTime started, End end, Tally tally,
                                   boolean allowMassDelete) {
    return pool.withTransaction(conn -> hold.around(conn, () -> Mirror.sweepCounts(conn, cal.id(), started)).compose(counts -> {
      Future<Void> guard = allowMassDelete ? Future.succeededFuture() : checkDeletes(cal.id(), counts[1], counts[0]);
      return guard.compose(v -> Mirror.sweep(conn, cal.id(), started))
          .compose(deleted -> SkippedEvents.clearNotSeenSince(conn, cal.id(), started).map(deleted))
          .compose(deleted -> busy == null ? Future.succeededFuture(deleted)
              : busy.afterFull(conn, cal.id(), cal.integrationId(), cal.timeZone()).map(deleted))
          .compose(deleted -> Calendars.saveSyncToken(conn, cal.id(), end.token, true)
              .map(v -> new SyncResult(1, tally.upserted, deleted, end.pages, true, 0, tally.skipped)));
    }));
  }

  /**
   * One page of a full listing (deletions need no action: the sweep removes what is not listed), written only while
   * hold's check passes.
   */
  private Future<Void> applyFullPage(Hold hold, Calendar cal, PageChanges changes, Tally tally) {
    tally.add(cal, changes);
    // a skipped event keeps its last good row: marked as listed so the sweep keeps it
    return pool.withTransaction(conn -> hold.around(conn, () -> Mirror.upsert(conn, cal.id(), changes.upserts()))
        .compose(v -> SkippedEvents.record(conn, cal.id(), changes.skipped()))
        .compose(v -> Mirror.markListed(conn, cal.id(), changes.skipped().keySet())));
  }

  private Future<Void> checkDeletes(long calendarId, long wouldDelete, long total) {
    if (wouldDelete <= config.maxDeleteMinimum() || wouldDelete <= config.maxDeleteShare() * total) return Future.succeededFuture();
    return Future.failedFuture(new MassDeletionRefused(calendarId, wouldDelete, total, config.maxDeleteShare()));
  }

  /** Counts of a listing so far; confined to the sync's event loop. */
  private static final class Tally {
    int upserted;
    int deletions;
    int skipped;

    void add(Calendar cal, PageChanges changes) {
      upserted += changes.upserts().size();
      deletions += changes.deletions().size();
      skipped += changes.skipped().size();
      changes.skipped().forEach((id, reason) -> log.atWarn().setMessage("event skipped: it cannot be mapped (the rest syncs)")
          .addKeyValue("integration", cal.integrationId()).addKeyValue("calendar", cal.id()).addKeyValue("event", id)
          .addKeyValue("reason", reason).log());
    }
  }

  // ---- pages

  private record End(String token, int pages) {
  }

  private record Page(JsonArray items, String nextPageToken, String nextSyncToken) {
  }

  /**
   * Lists every page (syncToken null: a full listing) and hands each, sorted into changes, to apply before asking for
   * the next; only one page is held at a time. An item without an id fails the listing as malformed.
   */
  private Future<End> listPages(GoogleCall google, Calendar cal, String syncToken, EventMapper mapper,
                                Function<PageChanges, Future<Void>> apply, String pageToken, int pages) {
    return page(google, cal, syncToken, pageToken).compose(page -> applyPage(google, cal, syncToken, mapper, apply, page, pages));
  }

  /** Applies a page that came (the pages before it applied), then lists the rest. */
  private Future<End> applyPage(GoogleCall google, Calendar cal, String syncToken, EventMapper mapper,
                                Function<PageChanges, Future<Void>> apply, Page page, int pages) {
    // the parsed page is not referenced past this point, so it can be collected while the rows are written
    String next = page.nextPageToken;
    String nextSyncToken = page.nextSyncToken;
    return changes(page, mapper).compose(apply).compose(v -> next != null
        ? listPages(google, cal, syncToken, mapper, apply, next, pages + 1)
        : Future.succeededFuture(new End(nextSyncToken, pages + 1)));
  }

  /** The page sorted into changes; an item without an id fails the listing as malformed. */
  private static Future<PageChanges> changes(Page page, EventMapper mapper) {
    try {
      return Future.succeededFuture(PageChanges.of(page.items, mapper));
    } catch (IllegalArgumentException | ClassCastException ex) {
      return Future.failedFuture(GoogleErrors.malformed("events.list", ex.getMessage()));
    }
  }

  private Future<Page> page(GoogleCall google, Calendar cal, String syncToken, String pageToken) {
    return google.listEvents(cal.googleId(), syncToken, pageToken, config.pageSize(),
        config.storeEventText() ? EventMapper.LIST_FIELDS_WITH_TEXT : EventMapper.LIST_FIELDS, CalendarSync::validate);
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
