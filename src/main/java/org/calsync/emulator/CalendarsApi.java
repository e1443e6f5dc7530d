package org.calsync.emulator;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * calendarList.list, calendarList.get and calendars.get (requests arrive authenticated). A user sees the calendars
 * in their list (their primary, secondary calendars they own, calendars shared with them); {@code primary} names
 * their own; any other id is 404 notFound. Shapes follow the discovery document's CalendarList, CalendarListEntry and
 * Calendar schemas.
 */
final class CalendarsApi {
  private static final String P = "/calendar/v3";
  private static final int DEFAULT_PAGE = 100;
  private static final int MAX_PAGE = 250;

  private final EmulatorState state;

  CalendarsApi(EmulatorState state) {
    this.state = state;
  }

  void mount(Router router) {
    router.get(P + "/users/me/calendarList").handler(this::list);
    router.get(P + "/users/me/calendarList/:calendarId").handler(ctx -> Http.json(ctx, 200, entryOf(ctx)));
    router.get(P + "/calendars/:calendarId").handler(ctx -> Http.json(ctx, 200, calendarOf(ctx)));
  }

  private JsonObject entryOf(RoutingContext ctx) {
    synchronized (state.lock) {
      String user = Http.user(ctx);
      return entry(user, state.access(user, ctx.pathParam("calendarId")));
    }
  }

  private JsonObject calendarOf(RoutingContext ctx) {
    synchronized (state.lock) {
      return calendarResource(state.access(Http.user(ctx), ctx.pathParam("calendarId")).cal);
    }
  }

  /**
   * Pages are positions in the user's list ("CLP{after}_{snapshot}"): entries added while paging appear on a later
   * page, none is skipped. The sync token is the state sequence when the first page was asked for; with it only
   * entries whose membership or selection changed since are listed, tombstones included (an access role change alone
   * is not reported, as Google documents for ACL changes).
   */
  private void list(RoutingContext ctx) {
    MultiMap q = ctx.queryParams();
    String user = Http.user(ctx);
    int max = maxResults(q.get("maxResults"));
    String syncToken = q.get("syncToken");
    String minRole = q.get("minAccessRole");
    if (minRole != null && CalendarLists.rank(minRole) < 0) throw GoogleErrors.invalidParameter("minAccessRole");
    if (syncToken != null) {
      if (minRole != null) throw GoogleErrors.invalidParameter("minAccessRole");
      if ("false".equalsIgnoreCase(q.get("showDeleted"))) throw GoogleErrors.invalidParameter("showDeleted");
      if ("false".equalsIgnoreCase(q.get("showHidden"))) throw GoogleErrors.invalidParameter("showHidden");
    }
    boolean showDeleted = syncToken != null || "true".equalsIgnoreCase(q.get("showDeleted"));
    JsonObject out;
    synchronized (state.lock) {
      String refused = syncToken == null ? null : state.takeTokenRefusal("calendarList " + user);
      if (refused != null) throw GoogleErrors.gone(refused);
      long since = syncToken == null ? -1 : parseSyncToken(syncToken);
      long after = 0;
      long snapshot = state.currentSeq();
      String pageToken = q.get("pageToken");
      if (pageToken != null) {
        long[] p = parsePageToken(pageToken);
        after = p[0];
        snapshot = p[1];
      }
      JsonArray items = new JsonArray();
      long last = after;
      boolean more = false;
      for (CalendarLists.Entry e : state.lists.entries(user)) {
        if (e.position <= after) continue;
        if (e.deleted && !showDeleted) continue;
        if (since >= 0 && e.seq <= since) continue;
        if (minRole != null && !e.atLeast(minRole)) continue;
        if (items.size() == max) {
          more = true;
          break;
        }
        items.add(entry(user, e));
        last = e.position;
      }
      out = new JsonObject().put("kind", "calendar#calendarList").put("etag", "\"p" + snapshot + "\"");
      if (more) out.put("nextPageToken", "CLP" + last + "_" + snapshot);
      else out.put("nextSyncToken", "CL" + Long.toString(snapshot, 36) + "AA");
      out.put("items", items);
    }
    Http.json(ctx, 200, out);
  }

  private static int maxResults(String v) {
    if (v == null) return DEFAULT_PAGE;
    try {
      int n = Integer.parseInt(v);
      if (n < 1) throw GoogleErrors.invalidParameter("maxResults");
      return Math.min(n, MAX_PAGE);
    } catch (NumberFormatException e) {
      throw GoogleErrors.invalidParameter("maxResults");
    }
  }

  private long parseSyncToken(String token) {
    if (token.startsWith("CL") && token.endsWith("AA") && token.length() > 4) {
      try {
        long seq = Long.parseLong(token.substring(2, token.length() - 2), 36);
        if (seq >= 0 && seq <= state.currentSeq()) return seq;
      } catch (NumberFormatException ignored) {
        // falls through to 410
      }
    }
    throw GoogleErrors.fullSyncRequired();
  }

  private static long[] parsePageToken(String token) {
    int us = token.indexOf('_');
    if (!token.startsWith("CLP") || us < 0) throw GoogleErrors.invalidParameter("pageToken");
    try {
      return new long[]{Long.parseLong(token.substring(3, us)), Long.parseLong(token.substring(us + 1))};
    } catch (NumberFormatException e) {
      throw GoogleErrors.invalidParameter("pageToken");
    }
  }

  /**
   * A calendarList entry as Google lists it: false booleans (primary, selected, deleted) are omitted; dataOwner only
   * for secondary calendars; notificationSettings only where the user may change events.
   */
  private static JsonObject entry(String user, CalendarLists.Entry e) {
    CalendarData cal = e.cal;
    boolean primary = cal.id.equals(user);
    JsonObject o = new JsonObject().put("kind", "calendar#calendarListEntry")
      .put("etag", "\"" + (1_700_000_000_000_000L + e.seq) + "\"")
      .put("id", cal.id).put("summary", cal.summary);
    if (!cal.id.equals(cal.owner)) o.put("dataOwner", cal.owner);
    o.put("timeZone", cal.timeZone).put("colorId", "14").put("backgroundColor", "#9fe1e7").put("foregroundColor", "#000000");
    if (e.selected) o.put("selected", true);
    o.put("accessRole", e.accessRole).put("defaultReminders", new JsonArray());
    if (e.atLeast("writer")) {
      JsonArray notifications = new JsonArray();
      for (String type : new String[]{"eventCreation", "eventChange", "eventCancellation", "eventResponse"}) {
        notifications.add(new JsonObject().put("type", type).put("method", "email"));
      }
      o.put("notificationSettings", new JsonObject().put("notifications", notifications));
    }
    if (primary) o.put("primary", true);
    if (e.deleted) o.put("deleted", true);
    return o.put("conferenceProperties", conferenceProperties());
  }

  /** The calendar resource (calendars.get): metadata shared by every user of the calendar. */
  private static JsonObject calendarResource(CalendarData cal) {
    return new JsonObject().put("kind", "calendar#calendar")
      .put("etag", "\"" + (1_600_000_000_000_000L + cal.index + 1) + "\"")
      .put("id", cal.id).put("summary", cal.summary).put("timeZone", cal.timeZone)
      .put("conferenceProperties", conferenceProperties());
  }

  private static JsonObject conferenceProperties() {
    return new JsonObject().put("allowedConferenceSolutionTypes", new JsonArray().add("hangoutsMeet"));
  }
}
