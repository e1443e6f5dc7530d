package org.calsync.emulator;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/** Calendar API v3 resources under /calendar/v3 (requests arrive authenticated; the user is in the context). */
final class EventsApi {
  private static final String P = "/calendar/v3";
  private static final List<String> NOT_WITH_SYNC = List.of("iCalUID", "orderBy", "privateExtendedProperty", "q",
    "sharedExtendedProperty", "timeMin", "timeMax", "updatedMin");
  private static final DateTimeFormatter FREEBUSY = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'")
    .withZone(ZoneOffset.UTC);

  private final EmulatorState state;

  EventsApi(EmulatorState state) {
    this.state = state;
  }

  void mount(Router router) {
    router.post(P + "/calendars/:calendarId/events/watch").handler(this::watch);
    router.get(P + "/calendars/:calendarId/events").handler(this::list);
    router.post(P + "/calendars/:calendarId/events").handler(this::insert);
    router.get(P + "/calendars/:calendarId/events/:eventId/instances").handler(this::instances);
    router.get(P + "/calendars/:calendarId/events/:eventId").handler(this::get);
    router.put(P + "/calendars/:calendarId/events/:eventId").handler(ctx -> modify(ctx, false));
    router.patch(P + "/calendars/:calendarId/events/:eventId").handler(ctx -> modify(ctx, true));
    router.delete(P + "/calendars/:calendarId/events/:eventId").handler(this::delete);
    router.post(P + "/freeBusy").handler(this::freeBusy);
    router.post(P + "/channels/stop").handler(this::stop);
  }

  // ---------------------------------------------------------------- events.list

  static ListParams params(MultiMap q, boolean forInstances) {
    int max = 250;
    String mr = q.get("maxResults");
    if (mr != null) {
      try {
        max = Integer.parseInt(mr);
      } catch (NumberFormatException e) {
        throw GoogleErrors.invalidParameter("maxResults");
      }
      if (max < 1) throw GoogleErrors.invalidParameter("maxResults");
      max = Math.min(max, 2500);
    }
    String syncToken = q.get("syncToken");
    if (syncToken != null && !forInstances) {
      for (String forbidden : NOT_WITH_SYNC) {
        if (q.contains(forbidden)) {
          throw new ApiError(400, "global", "invalid", "Invalid Value", "parameter", forbidden);
        }
      }
    }
    Long timeMin = time(q, "timeMin");
    Long timeMax = time(q, "timeMax");
    if (timeMin != null && timeMax != null && timeMin >= timeMax) throw GoogleErrors.timeRangeEmpty();
    boolean singleEvents = bool(q, "singleEvents");
    String orderBy = q.get("orderBy");
    if (orderBy != null) {
      if (!orderBy.equals("startTime") && !orderBy.equals("updated")) throw GoogleErrors.invalidParameter("orderBy");
      if (orderBy.equals("startTime") && !singleEvents) {
        throw new ApiError(400, "global", "badRequest", "The requested ordering is not available for the particular query.");
      }
    }
    return new ListParams(max, q.get("pageToken"), forInstances ? null : syncToken, bool(q, "showDeleted"), singleEvents,
      timeMin, timeMax, time(q, "updatedMin"), orderBy, q.get("q"), q.get("iCalUID"),
      q.getAll("privateExtendedProperty"), q.getAll("sharedExtendedProperty"));
  }

  private static Long time(MultiMap q, String name) {
    String v = q.get(name);
    if (v == null) return null;
    Long t = Times.parseInstant(v);
    if (t == null) throw new ApiError(400, "global", "badRequest", "Bad Request");
    return t;
  }

  private static boolean bool(MultiMap q, String name) {
    String v = q.get(name);
    if (v == null) return false;
    if (v.equalsIgnoreCase("true")) return true;
    if (v.equalsIgnoreCase("false")) return false;
    throw GoogleErrors.invalidParameter(name);
  }

  private void list(RoutingContext ctx) {
    ListParams p = params(ctx.queryParams(), false);
    String user = Http.user(ctx);
    ListResult r;
    JsonObject envelope;
    long now = System.currentTimeMillis();
    FaultInjector faults = state.faultInjector();
    int shortPage = faults.shortPage(ctx.request().path(), p.maxResults(), p.pageToken());
    synchronized (state.lock) {
      CalendarLists.Entry entry = state.readable(user, ctx.pathParam("calendarId"));
      CalendarData cal = entry.cal;
      String refused = p.syncToken() == null ? null : state.takeTokenRefusal("events " + cal.id);
      if (refused != null) throw GoogleErrors.gone(refused);
      if (p.updatedMin() != null && p.updatedMin() < now - state.updatedMinWindowMs()) {
        throw GoogleErrors.updatedMinTooLongAgo();
      }
      r = EventLister.list(cal, p, now, shortPage);
      envelope = envelope(entry);
    }
    if (r.items().isEmpty() && r.nextPageToken() != null) faults.emptyPageIssued(r.nextPageToken());
    Http.json(ctx, 200, finish(envelope, r));
  }

  private static JsonObject envelope(CalendarLists.Entry entry) {
    CalendarData cal = entry.cal;
    return new JsonObject().put("kind", "calendar#events").put("etag", cal.etag()).put("summary", cal.summary)
      .put("updated", Times.millis(cal.updatedMs)).put("timeZone", cal.timeZone).put("accessRole", entry.accessRole)
      .put("defaultReminders", new JsonArray());
  }

  private static JsonObject finish(JsonObject envelope, ListResult r) {
    if (r.nextPageToken() != null) envelope.put("nextPageToken", r.nextPageToken());
    if (r.nextSyncToken() != null) envelope.put("nextSyncToken", r.nextSyncToken());
    return envelope.put("items", new JsonArray(new ArrayList<>(r.items())));
  }

  private void instances(RoutingContext ctx) {
    ListParams p = params(ctx.queryParams(), true);
    String user = Http.user(ctx);
    ListResult r;
    JsonObject envelope;
    synchronized (state.lock) {
      CalendarLists.Entry entry = state.readable(user, ctx.pathParam("calendarId"));
      CalendarData cal = entry.cal;
      StoredEvent master = cal.byId.get(ctx.pathParam("eventId"));
      if (master == null) throw GoogleErrors.notFound();
      r = EventLister.instances(cal, master, p, System.currentTimeMillis());
      envelope = envelope(entry);
    }
    Http.json(ctx, 200, finish(envelope, r));
  }

  // ---------------------------------------------------------------- single events

  private void get(RoutingContext ctx) {
    String user = Http.user(ctx);
    JsonObject ev;
    synchronized (state.lock) {
      CalendarData cal = state.readable(user, ctx.pathParam("calendarId")).cal;
      ev = state.get(cal, ctx.pathParam("eventId"), System.currentTimeMillis());
    }
    String inm = ctx.request().getHeader("If-None-Match");
    if (inm != null && inm.equals(ev.getString("etag"))) {
      ctx.response().setStatusCode(304).end();
      return;
    }
    Http.json(ctx, 200, ev);
  }

  private void insert(RoutingContext ctx) {
    JsonObject body = Http.body(ctx);
    String user = Http.user(ctx);
    JsonObject ev;
    CalendarData cal;
    synchronized (state.lock) {
      cal = state.writable(user, ctx.pathParam("calendarId"));
      ev = state.insert(cal, body, System.currentTimeMillis());
    }
    state.notifier().changed(cal);
    Http.json(ctx, 200, ev);
  }

  private void modify(RoutingContext ctx, boolean patch) {
    JsonObject body = Http.body(ctx);
    String user = Http.user(ctx);
    JsonObject ev;
    CalendarData cal;
    synchronized (state.lock) {
      cal = state.writable(user, ctx.pathParam("calendarId"));
      ev = state.modify(cal, ctx.pathParam("eventId"), body, ctx.request().getHeader("If-Match"), patch,
        System.currentTimeMillis());
    }
    state.notifier().changed(cal);
    Http.json(ctx, 200, ev);
  }

  private void delete(RoutingContext ctx) {
    String user = Http.user(ctx);
    CalendarData cal;
    synchronized (state.lock) {
      cal = state.writable(user, ctx.pathParam("calendarId"));
      state.delete(cal, ctx.pathParam("eventId"), ctx.request().getHeader("If-Match"), System.currentTimeMillis());
    }
    state.notifier().changed(cal);
    ctx.response().setStatusCode(204).end();
  }

  // ---------------------------------------------------------------- push channels

  private void watch(RoutingContext ctx) {
    JsonObject body = Http.body(ctx);
    String user = Http.user(ctx);
    String id = body.getString("id");
    String type = body.getString("type");
    String address = body.getString("address");
    String token = body.getString("token");
    if (id == null || id.isEmpty()) throw GoogleErrors.required("Required");
    if (id.length() > 64) throw GoogleErrors.invalid("Channel id must be at most 64 characters.");
    if (type == null) throw GoogleErrors.required("Required");
    if (!type.equals("web_hook") && !type.equals("webhook")) throw GoogleErrors.invalid("Invalid value for: " + type + " is not a valid value");
    if (address == null || address.isEmpty()) throw GoogleErrors.required("Required");
    if (!address.startsWith("https://") && !address.startsWith("http://")) {
      throw new ApiError(400, "global", "push.webhookUrlNotHttps", "WebHook callback must be HTTPS: " + address);
    }
    if (token != null && token.length() > 256) throw GoogleErrors.invalid("Channel token must be at most 256 characters.");
    long ttl = PushNotifier.MAX_TTL_SECONDS;
    JsonObject params = body.getValue("params") instanceof JsonObject o ? o : null;
    if (params != null && params.getValue("ttl") != null) {
      try {
        ttl = Long.parseLong(String.valueOf(params.getValue("ttl")));
      } catch (NumberFormatException e) {
        throw GoogleErrors.invalid("Invalid ttl value.");
      }
      if (ttl < 1) throw GoogleErrors.invalid("Invalid ttl value.");
      ttl = Math.min(ttl, PushNotifier.MAX_TTL_SECONDS);
    }
    long now = System.currentTimeMillis();
    long expiration = now + ttl * 1000;
    Object exp = body.getValue("expiration");
    if (exp != null) {
      try {
        long requested = Long.parseLong(String.valueOf(exp));
        if (requested > now) expiration = Math.min(expiration, requested);
      } catch (NumberFormatException e) {
        throw GoogleErrors.invalid("Invalid expiration value.");
      }
    }
    CalendarData cal;
    synchronized (state.lock) {
      cal = state.readable(user, ctx.pathParam("calendarId")).cal;
    }
    if (state.notifier().exists(id)) throw new ApiError(400, "global", "channelIdNotUnique", "Channel id " + id + " not unique");
    String uri = "https://www.googleapis.com/calendar/v3/calendars/"
      + URLEncoder.encode(cal.id, StandardCharsets.UTF_8) + "/events?alt=json";
    PushNotifier.Channel c = new PushNotifier.Channel(id, cal.resourceId, uri, token, address, user, cal.id, expiration);
    state.notifier().add(c);
    JsonObject out = new JsonObject().put("kind", "api#channel").put("id", id).put("resourceId", cal.resourceId)
      .put("resourceUri", uri);
    if (token != null) out.put("token", token);
    Http.json(ctx, 200, out.put("expiration", Long.toString(expiration)));
  }

  private void stop(RoutingContext ctx) {
    JsonObject body = Http.body(ctx);
    String id = body.getString("id");
    String resourceId = body.getString("resourceId");
    if (id == null || id.isEmpty() || resourceId == null || resourceId.isEmpty()) throw GoogleErrors.required("Required");
    if (!state.notifier().stop(Http.user(ctx), id, resourceId)) {
      throw new ApiError(404, "global", "notFound", "Channel '" + id + "' not found for project");
    }
    ctx.response().setStatusCode(204).end();
  }

  // ---------------------------------------------------------------- freeBusy

  private void freeBusy(RoutingContext ctx) {
    JsonObject body = Http.body(ctx);
    String user = Http.user(ctx);
    String tMin = body.getString("timeMin");
    String tMax = body.getString("timeMax");
    if (tMin == null) throw GoogleErrors.required("Missing timeMin parameter.");
    if (tMax == null) throw GoogleErrors.required("Missing timeMax parameter.");
    Long min = Times.parseInstant(tMin);
    Long max = Times.parseInstant(tMax);
    if (min == null || max == null) throw GoogleErrors.badRequest();
    if (min >= max) throw GoogleErrors.timeRangeEmpty();
    JsonArray items = body.getValue("items") instanceof JsonArray a ? a : new JsonArray();
    if (items.size() > 50) throw new ApiError(400, "global", "tooManyCalendarsRequested", "Too many calendars requested");
    JsonObject calendars = new JsonObject();
    long now = System.currentTimeMillis();
    synchronized (state.lock) {
      for (Object o : items) {
        String id = o instanceof JsonObject j ? j.getString("id") : null;
        if (id == null) continue;
        CalendarData cal;
        try {
          cal = state.access(user, id).cal;
        } catch (ApiError e) {
          calendars.put(id, new JsonObject().put("errors", new JsonArray()
            .add(new JsonObject().put("domain", "global").put("reason", "notFound"))).put("busy", new JsonArray()));
          continue;
        }
        calendars.put(id, new JsonObject().put("busy", busy(cal, min, max, now)));
      }
    }
    Http.json(ctx, 200, new JsonObject().put("kind", "calendar#freeBusy").put("timeMin", FREEBUSY.format(Instant.ofEpochMilli(min)))
      .put("timeMax", FREEBUSY.format(Instant.ofEpochMilli(max))).put("calendars", calendars));
  }

  /** Opaque, non-cancelled periods overlapping [min, max), recurrences expanded, clipped and merged. */
  static JsonArray busy(CalendarData cal, long min, long max, long now) {
    List<long[]> periods = new ArrayList<>();
    for (StoredEvent e : cal.order) {
      if (e.isException()) {
        StoredEvent m = cal.byId.get(e.recurringEventId);
        if (m != null && m.isMaster()) continue;
      }
      if (e.cancelled() || e.endMs <= min || e.startMs >= max) continue;
      if (e.isMaster()) {
        for (EventJson.Instance in : EventJson.instances(cal, e, now)) {
          boolean transparent = in.exception() != null ? in.exception().transparent : e.transparent;
          if (in.cancelled() || transparent || in.endMs() <= min || in.startMs() >= max) continue;
          periods.add(new long[]{Math.max(min, in.startMs()), Math.min(max, in.endMs())});
        }
      } else if (!e.transparent) {
        periods.add(new long[]{Math.max(min, e.startMs), Math.min(max, e.endMs)});
      }
    }
    periods.sort((a, b) -> Long.compare(a[0], b[0]));
    JsonArray out = new JsonArray();
    long[] cur = null;
    for (long[] p : periods) {
      if (p[1] <= p[0]) continue;
      if (cur != null && p[0] <= cur[1]) {
        cur[1] = Math.max(cur[1], p[1]);
      } else {
        if (cur != null) out.add(period(cur));
        cur = p;
      }
    }
    if (cur != null) out.add(period(cur));
    return out;
  }

  private static JsonObject period(long[] p) {
    return new JsonObject().put("start", FREEBUSY.format(Instant.ofEpochMilli(p[0])))
      .put("end", FREEBUSY.format(Instant.ofEpochMilli(p[1])));
  }
}
