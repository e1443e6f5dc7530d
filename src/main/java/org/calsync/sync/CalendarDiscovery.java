package org.calsync.sync;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.calsync.audit.AuditEvent;
import org.calsync.db.Calendars;
import org.calsync.db.Calendars.Calendar;
import org.calsync.db.Calendars.Listed;
import org.calsync.db.Calendars.CalendarState;
import org.calsync.google.GoogleApiException;
import org.calsync.google.GoogleCall;
import org.calsync.google.GoogleErrors;
import org.calsync.mirror.Mirror;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds an integration's calendars with calendarList.list: with the stored sync token only the changes are asked for
 * and, when there are none, nothing is read or written; otherwise (a change, a refused token, none stored, or the last
 * full listing a day old: {@link org.calsync.db.JobQueue#FULL_LISTING_EVERY}) every page is listed and the complete
 * answer applied in one transaction: calendars added, removed (left the list), access or selection changed; the write target moves back to
 * the primary calendar when it left or lost write access (logged and audited); calendars that no longer count as busy
 * leave the mirror. A failed or malformed answer (also one without the primary calendar) changes nothing.
 */
public final class CalendarDiscovery {
  private static final Logger log = LoggerFactory.getLogger(CalendarDiscovery.class);
  private static final Set<String> ROLES = Set.of("freeBusyReader", "reader", "writer", "owner");
  /** calendarList pages followed at most (250 entries each). */
  private static final int MAX_PAGES = 40;

  /**
   * The calendarList partial response asked for: the page tokens and every entry field read here (a field read and not
   * listed would silently read as absent).
   */
  static final String LIST_FIELDS = "nextPageToken,nextSyncToken,items(id,deleted,accessRole,summary,summaryOverride,timeZone,"
      + "selected,primary)";

  private final Pool pool;

  public CalendarDiscovery(Pool pool) {
    this.pool = pool;
  }

  /**
   * What discovery found: the calendars that count as busy (those to sync), the calendarList sync token to store once
   * the sync succeeds (null: none, the next sync lists fully), whether this was a full listing and whether calendarList
   * answered at all (false: the calendars known were taken without asking).
   */
  public record Found(List<Calendar> busy, String listToken, boolean listedFully, boolean checked) {
    /** The calendars known, calendarList not asked (or it failed): the stored token is kept. */
    static Found unchecked(List<Calendar> busy, String listToken) {
      return new Found(busy, listToken, false, false);
    }
  }

  private record Listing(List<Listed> entries, String syncToken) {
  }

  /**
   * With a stored calendarList sync token and the busy calendars as read with the job, asks Google only for the
   * changes: none (the usual case) returns those calendars and reads nothing from the database; any change, or a
   * refused token (any 410, whatever its reason: Google documents every 410 on a listing with a sync token as "list in
   * full"), leads to a full listing. Without either: a full listing, applied, returning the busy calendars.
   */
  public Future<Found> discover(GoogleCall google, long integrationId, String listToken, List<Calendar> known, Hold hold) {
    if (listToken == null || known == null) return full(google, integrationId, hold);
    return changes(google, listToken, null, 0).compose(delta -> delta.changed() ? full(google, integrationId, hold)
            : Future.succeededFuture(new Found(known, delta.nextToken(), false, true)),
        err -> {
          if (!(err instanceof GoogleApiException e && e.syncTokenGone())) return Future.failedFuture(err);
          log.atInfo().setMessage("calendarList sync token rejected, listing fully").addKeyValue("integration", integrationId)
              .addKeyValue("reason", e.reason()).log();
          return full(google, integrationId, hold);
        });
  }

  private Future<Found> full(GoogleCall google, long integrationId, Hold hold) {
    return listAll(google, null, new ArrayList<>(), 0)
        .compose(listing -> apply(integrationId, listing.entries(), hold).map(busy -> new Found(busy, listing.syncToken(), true, true)));
  }

  /** An incremental listing's outcome: whether any entry changed, else the next sync token (null: Google gave none). */
  private record Delta(boolean changed, String nextToken) {
  }

  /**
   * Follows the pages of an incremental listing up to the first changed entry (the remaining pages are not needed: a
   * full listing follows).
   */
  private Future<Delta> changes(GoogleCall google, String syncToken, String pageToken, int pages) {
    return google.calendarList(syncToken, pageToken, LIST_FIELDS).compose(page -> {
      if (!(page.getValue("items") instanceof JsonArray items)) {
        return Future.failedFuture(GoogleErrors.malformed("calendarList.list", "no 'items' array"));
      }
      if (!items.isEmpty()) return Future.succeededFuture(new Delta(true, null));
      if (page.getValue("nextPageToken") instanceof String next) {
        if (pages + 1 < MAX_PAGES) return changes(google, syncToken, next, pages + 1);
        return Future.failedFuture(GoogleErrors.malformed("calendarList.list", "more than " + MAX_PAGES + " pages"));
      }
      return Future.succeededFuture(new Delta(false, page.getValue("nextSyncToken") instanceof String t ? t : null));
    });
  }

  private Future<Listing> listAll(GoogleCall google, String pageToken, List<Listed> acc, int pages) {
    return google.calendarList(null, pageToken, LIST_FIELDS).compose(page -> {
      if (!(page.getValue("items") instanceof JsonArray items)) {
        return Future.failedFuture(GoogleErrors.malformed("calendarList.list", "no 'items' array"));
      }
      for (Object o : items) {
        if (!(o instanceof JsonObject entry) || !(entry.getValue("id") instanceof String id)) {
          return Future.failedFuture(GoogleErrors.malformed("calendarList.list", "an entry without an id"));
        }
        if (Boolean.TRUE.equals(entry.getValue("deleted")) || !(entry.getValue("accessRole") instanceof String role)
            || !ROLES.contains(role)) {
          continue;
        }
        Object summary = entry.getValue("summaryOverride") instanceof String so ? so : entry.getValue("summary");
        Object zone = entry.getValue("timeZone");
        acc.add(new Listed(id, summary instanceof String s ? s : null, zone instanceof String z ? z : "UTC", role,
            Boolean.TRUE.equals(entry.getValue("selected")), Boolean.TRUE.equals(entry.getValue("primary"))));
      }
      Object next = page.getValue("nextPageToken");
      if (next instanceof String token && pages + 1 < MAX_PAGES) return listAll(google, token, acc, pages + 1);
      if (next != null) return Future.failedFuture(GoogleErrors.malformed("calendarList.list", "more than " + MAX_PAGES + " pages"));
      if (acc.stream().noneMatch(Listed::primary)) {
        return Future.failedFuture(GoogleErrors.malformed("calendarList.list", "no primary calendar listed"));
      }
      return Future.succeededFuture(new Listing(acc, page.getValue("nextSyncToken") instanceof String t ? t : null));
    });
  }

  /**
   * Applies a complete listing; returns the calendars that count as busy. A listing equal to what is stored (the usual
   * case: every sync lists the calendars) is one read and no write; any difference is applied in one transaction,
   * only while hold's check passes (else nothing is written and the result fails as the check did).
   */
  public Future<List<Calendar>> apply(long integrationId, List<Listed> listed, Hold hold) {
    return Calendars.rows(pool, integrationId, false).compose(stored -> {
      List<Calendar> same = unchanged(integrationId, listed, stored);
      if (same != null) return Future.succeededFuture(same);
      if (stored.isEmpty()) return first(integrationId, listed, hold).recover(err -> err instanceof ConcurrentListing
          ? changed(integrationId, listed, hold) : Future.failedFuture(err));
      return changed(integrationId, listed, hold);
    });
  }

  /** Rows appeared between the read and the insert of a first listing (another process): applied as a change instead. */
  private static final class ConcurrentListing extends RuntimeException {
    ConcurrentListing() {
      super("calendars were added meanwhile", null, false, false);
    }
  }

  /** The first listing of an integration without calendar rows: one insert, then the audit, in one transaction. */
  private Future<List<Calendar>> first(long integrationId, List<Listed> listed, Hold hold) {
    return pool.withTransaction(conn -> hold.around(conn, () -> Calendars.insertFirst(conn, integrationId, listed)).compose(after ->
        after.size() != listed.size() ? Future.failedFuture(new ConcurrentListing())
            : settle(conn, integrationId, List.of(), after, "sync", "calendars.discovered")));
  }

  private Future<List<Calendar>> changed(long integrationId, List<Listed> listed, Hold hold) {
    return pool.withTransaction(conn -> hold.around(conn, () -> Calendars.rows(conn, integrationId, true)).compose(before ->
        Calendars.applyListing(conn, integrationId, listed)
            .compose(v -> Calendars.rows(conn, integrationId, false))
            .compose(after -> settle(conn, integrationId, before, after, "sync", "calendars.discovered"))));
  }

  /**
   * The busy calendars when applying the listing would change nothing (same calendars with the same details, a
   * writable write target, no mirror left to erase), else null.
   */
  static List<Calendar> unchanged(long integrationId, List<Listed> listed, List<CalendarState> stored) {
    Map<String, CalendarState> current = new HashMap<>();
    for (CalendarState r : stored) {
      if (!r.removed()) current.put(r.googleId(), r);
      else if (r.syncToken() != null || r.lastSyncAt() != null) return null;
    }
    if (current.size() != listed.size()) return null;
    for (Listed l : listed) {
      CalendarState r = current.get(l.googleId());
      if (r == null || !Objects.equals(r.summary(), l.summary()) || !Objects.equals(r.timeZone(), l.timeZone())
          || !r.accessRole().equals(l.accessRole()) || r.selected() != l.selected() || r.primary() != l.primary()) {
        return null;
      }
    }
    List<Calendar> busy = new ArrayList<>();
    boolean target = false;
    for (CalendarState r : stored) {
      if (r.removed()) continue;
      if (r.writeTarget()) {
        if (!r.accessRole().equals("owner") && !r.accessRole().equals("writer")) return null;
        target = true;
      }
      if (r.busy()) busy.add(r.calendar(integrationId));
      else if (r.syncToken() != null || r.lastSyncAt() != null) return null;
    }
    return target ? busy : null;
  }

  /**
   * After calendar rows changed (discovery, or a choice): erases the mirror of calendars that no longer count as busy,
   * logs and audits what changed (inside conn's transaction). Returns the busy calendars.
   */
  static Future<List<Calendar>> settle(SqlConnection conn, long integrationId, List<CalendarState> before, List<CalendarState> after,
                                       String actor, String action) {
    Map<Long, CalendarState> old = new HashMap<>();
    before.forEach(r -> old.put(r.id(), r));
    JsonArray added = new JsonArray(), removed = new JsonArray(), access = new JsonArray(), selection = new JsonArray();
    JsonArray busyOn = new JsonArray(), busyOff = new JsonArray();
    List<Long> erase = new ArrayList<>();
    List<Calendar> busy = new ArrayList<>();
    String targetBefore = null, targetAfter = null;
    for (CalendarState r : before) if (r.writeTarget()) targetBefore = r.googleId();
    for (CalendarState r : after) {
      CalendarState o = old.get(r.id());
      boolean wasListed = o != null && !o.removed();
      if (r.writeTarget()) targetAfter = r.googleId();
      if (r.busy()) busy.add(r.calendar(integrationId));
      if (!r.busy() && (o != null && o.busy() || r.syncToken() != null || r.lastSyncAt() != null)) erase.add(r.id());
      if (!wasListed && !r.removed()) added.add(r.googleId());
      if (wasListed && r.removed()) removed.add(r.googleId());
      if (wasListed && !r.removed() && !o.accessRole().equals(r.accessRole())) {
        access.add(new JsonObject().put("calendarId", r.googleId()).put("from", o.accessRole()).put("to", r.accessRole()));
      }
      if (wasListed && !r.removed() && o.selected() != r.selected()) selection.add(r.googleId());
      boolean wasBusy = o != null && o.busy();
      if (wasBusy != r.busy()) (r.busy() ? busyOn : busyOff).add(r.googleId());
    }
    JsonObject detail = new JsonObject();
    if (!added.isEmpty()) detail.put("added", added);
    if (!removed.isEmpty()) detail.put("removed", removed);
    if (!access.isEmpty()) detail.put("accessChanged", access);
    if (!selection.isEmpty()) detail.put("selectionChanged", selection);
    if (!busyOn.isEmpty()) detail.put("nowBusy", busyOn);
    if (!busyOff.isEmpty()) detail.put("noLongerBusy", busyOff);
    boolean fellBack = "sync".equals(actor) && targetBefore != null && !targetBefore.equals(targetAfter);
    if (targetBefore != null && !targetBefore.equals(targetAfter) || targetBefore == null && targetAfter != null) {
      detail.put("writeTarget", new JsonObject().put("from", targetBefore).put("to", targetAfter));
    }
    if (fellBack) {
      log.atWarn().setMessage("write target left the calendar list or lost write access; appointments now go to the primary calendar")
          .addKeyValue("integration", integrationId).addKeyValue("from", targetBefore).addKeyValue("to", targetAfter).log();
    }
    if (detail.isEmpty() && erase.isEmpty()) return Future.succeededFuture(busy);
    String finalAction = fellBack ? "calendars.write_target_fallback" : action;
    return Mirror.erase(conn, erase)
        .compose(events -> {
          if (!erase.isEmpty()) detail.put("eventsErased", events);
          // the first discovery of an integration is routine (DEBUG); a change to a known set is worth an INFO line
          (before.isEmpty() ? log.atDebug() : log.atInfo()).setMessage("calendars changed").addKeyValue("integration", integrationId)
              .addKeyValue("detail", (java.util.function.Supplier<Object>) detail::encode).log();
          return Calendars.forgetSync(conn, erase);
        })
        .compose(v -> detail.isEmpty() ? Future.<Void>succeededFuture()
            : new AuditEvent(actor, finalAction, integrationId, detail).append(conn))
        .map(busy);
  }
}
