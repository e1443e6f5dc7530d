package org.calsync.emulator;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * calendarList.list, calendarList.get and calendars.get (requests arrive authenticated). A user sees only their own
 * primary calendar; {@code primary} names it; any other id is 404 notFound. Shapes follow the discovery document's
 * CalendarList, CalendarListEntry and Calendar schemas.
 */
final class CalendarsApi {
  private static final String P = "/calendar/v3";

  private final EmulatorState state;

  CalendarsApi(EmulatorState state) {
    this.state = state;
  }

  void mount(Router router) {
    router.get(P + "/users/me/calendarList").handler(this::list);
    router.get(P + "/users/me/calendarList/:calendarId").handler(ctx -> Http.json(ctx, 200, entry(calendar(ctx, ctx.pathParam("calendarId")))));
    router.get(P + "/calendars/:calendarId").handler(ctx -> Http.json(ctx, 200, calendarResource(calendar(ctx, ctx.pathParam("calendarId")))));
  }

  /** Its fields read here are final: usable after the lock is released. */
  private CalendarData calendar(RoutingContext ctx, String calendarId) {
    synchronized (state.lock) {
      return state.calendarFor(Http.user(ctx), calendarId);
    }
  }

  private void list(RoutingContext ctx) {
    CalendarData cal = calendar(ctx, "primary");
    long seq = cal.index + 1;
    boolean incremental = ctx.request().getParam("syncToken") != null;
    Http.json(ctx, 200, new JsonObject().put("kind", "calendar#calendarList").put("etag", "\"p" + seq + "\"")
      .put("nextSyncToken", "CL" + Long.toString(seq, 36) + "AA")
      .put("items", incremental ? new JsonArray() : new JsonArray().add(entry(cal))));
  }

  /** The primary calendar's calendarList entry, as Google lists a user's own primary calendar. */
  private static JsonObject entry(CalendarData cal) {
    JsonArray notifications = new JsonArray();
    for (String type : new String[]{"eventCreation", "eventChange", "eventCancellation", "eventResponse"}) {
      notifications.add(new JsonObject().put("type", type).put("method", "email"));
    }
    return new JsonObject().put("kind", "calendar#calendarListEntry")
      .put("etag", "\"" + (1_700_000_000_000_000L + cal.index + 1) + "\"")
      .put("id", cal.id).put("summary", cal.summary).put("timeZone", cal.timeZone).put("colorId", "14")
      .put("backgroundColor", "#9fe1e7").put("foregroundColor", "#000000").put("selected", true)
      .put("accessRole", "owner").put("defaultReminders", new JsonArray())
      .put("notificationSettings", new JsonObject().put("notifications", notifications))
      .put("primary", true).put("conferenceProperties", conferenceProperties());
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
