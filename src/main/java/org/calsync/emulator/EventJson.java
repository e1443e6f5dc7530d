package org.calsync.emulator;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/** Event resource rules: validation, canonical rendering, patch merge, tombstones and recurring instances. */
final class EventJson {
  private EventJson() {}

  static final Pattern CLIENT_ID = Pattern.compile("^[a-v0-9]{5,1024}$");
  static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssXXX");
  private static final List<String> ORDER = List.of("kind", "etag", "id", "status", "htmlLink", "created", "updated",
    "summary", "description", "location", "colorId", "creator", "organizer", "start", "end", "endTimeUnspecified",
    "recurrence", "recurringEventId", "originalStartTime", "transparency", "visibility", "iCalUID", "sequence",
    "attendees", "guestsCanModify", "extendedProperties", "reminders", "eventType");
  /** Fields owned by the server; client values are ignored. */
  private static final Set<String> SERVER = Set.of("kind", "etag", "id", "htmlLink", "created", "updated", "creator",
    "organizer", "sequence", "recurringEventId", "originalStartTime", "eventType");
  static final String[] SEED_SUMMARIES = {"Patient consultation", "Follow-up visit", "Team meeting", "Lunch",
    "New patient intake", "Physiotherapy session", "Admin time", "Case review", "Telehealth call", "Staff training",
    "Blocked", "Dentist appointment", "School pickup", "Gym", "Supervision"};

  static String etag(long n) {
    return "\"" + (3_000_000_000_000_000L + n * 1000) + "\"";
  }

  static String htmlLink(String calendarId, String eventId) {
    String eid = Base64.getUrlEncoder().withoutPadding()
      .encodeToString((eventId + " " + calendarId).getBytes(StandardCharsets.UTF_8));
    return "https://www.google.com/calendar/event?eid=" + eid;
  }

  static JsonObject person(String email) {
    return new JsonObject().put("email", email).put("self", true);
  }

  static String formatDateTime(long ms, ZoneId zone) {
    return DATE_TIME.format(Instant.ofEpochMilli(ms).atZone(zone));
  }

  /**
   * A dateTime sent as a local time (no offset; the timeZone says where) comes back as Google sends every dateTime:
   * RFC 3339 with the offset in force at that time and place. One that has an offset is kept as sent.
   */
  private static JsonObject withOffset(JsonObject t, long ms, ZoneId eventZone) {
    if (!(t.getValue("dateTime") instanceof String dt)) return t;
    try {
      java.time.OffsetDateTime.parse(dt);
      return t;
    } catch (java.time.format.DateTimeParseException local) {
      ZoneId zone = Times.zone(t.getString("timeZone"), eventZone);
      return t.copy().put("dateTime", formatDateTime(ms, zone == null ? eventZone : zone));
    }
  }

  /** The resource as events.get returns it. */
  static JsonObject render(CalendarData cal, StoredEvent e) {
    if (e.data != null) return e.data;
    JsonObject start, end;
    if (e.allDay) {
      start = new JsonObject().put("date", LocalDate.ofInstant(Instant.ofEpochMilli(e.startMs), cal.zone).toString());
      end = new JsonObject().put("date", LocalDate.ofInstant(Instant.ofEpochMilli(e.endMs), cal.zone).toString());
    } else {
      start = new JsonObject().put("dateTime", formatDateTime(e.startMs, cal.zone)).put("timeZone", cal.timeZone);
      end = new JsonObject().put("dateTime", formatDateTime(e.endMs, cal.zone)).put("timeZone", cal.timeZone);
    }
    JsonObject j = new JsonObject().put("kind", "calendar#event").put("etag", etag(e.etag)).put("id", e.id)
      .put("status", e.status).put("htmlLink", htmlLink(cal.id, e.id)).put("created", Times.millis(e.createdMs))
      .put("updated", Times.millis(e.updatedMs)).put("summary", SEED_SUMMARIES[e.seedSummary])
      .put("creator", person(cal.owner)).put("organizer", person(cal.owner)).put("start", start).put("end", end);
    if (e.transparent) j.put("transparency", "transparent");
    return j.put("iCalUID", e.id + "@google.com").put("sequence", e.sequence)
      .put("reminders", new JsonObject().put("useDefault", true)).put("eventType", "default");
  }

  /** Minimal cancelled entry for incremental results (SPEC §2.5). */
  static JsonObject tombstone(CalendarData cal, StoredEvent e) {
    JsonObject j = new JsonObject().put("kind", "calendar#event").put("etag", etag(e.etag)).put("id", e.id)
      .put("status", "cancelled");
    if (e.recurringEventId != null) {
      j.put("recurringEventId", e.recurringEventId);
      JsonObject d = e.data;
      if (d != null && d.getValue("originalStartTime") != null) j.put("originalStartTime", d.getValue("originalStartTime"));
    }
    return j;
  }

  /**
   * Validates {@code client} (the complete client view after merge) and stores it into {@code e}, stamping the
   * server fields. {@code e.id}, created, recurringEventId/originalStartMs must already be set.
   */
  static void store(CalendarData cal, StoredEvent e, JsonObject client, long etagNum, long now, boolean isNew) {
    JsonObject start = objectOrNull(client, "start");
    JsonObject end = objectOrNull(client, "end");
    if (start == null || (start.getValue("dateTime") == null && start.getValue("date") == null)) {
      throw GoogleErrors.required("Missing start time.");
    }
    if (end == null || (end.getValue("dateTime") == null && end.getValue("date") == null)) {
      throw GoogleErrors.required("Missing end time.");
    }
    ZoneId eventZone = Recurrence.zoneOf(start.getString("timeZone"), cal.zone);
    Long s = Times.eventTime(start, eventZone);
    Long en = Times.eventTime(end, eventZone);
    if (s == null) throw GoogleErrors.invalid("Invalid start time.");
    if (en == null) throw GoogleErrors.invalid("Invalid end time.");
    if (Times.isAllDay(start) != Times.isAllDay(end)) throw GoogleErrors.invalid("Invalid start time.");
    if (en < s) throw new ApiError(400, "calendar", "timeRangeEmpty", "The specified time range is empty.");
    start = withOffset(start, s, eventZone);
    end = withOffset(end, en, eventZone);
    String status = client.getValue("status") == null ? "confirmed" : String.valueOf(client.getValue("status"));
    if (!status.equals("confirmed") && !status.equals("tentative") && !status.equals("cancelled")) {
      throw GoogleErrors.invalid("Invalid Value");
    }
    Object tr = client.getValue("transparency");
    if (tr != null && !"opaque".equals(tr) && !"transparent".equals(tr)) throw GoogleErrors.invalid("Invalid Value");
    Recurrence rule = null;
    JsonArray rec = client.getValue("recurrence") instanceof JsonArray a && !a.isEmpty() ? a : null;
    if (rec != null && e.recurringEventId == null) {
      // the zone a series is expanded in must be named (Event.start.timeZone: "required" for recurring events)
      if (!Times.isAllDay(start) && start.getValue("timeZone") == null) {
        throw GoogleErrors.required("Missing time zone definition for start time.");
      }
      rule = Recurrence.parse(rec);
    }

    JsonObject normalized = new JsonObject();
    for (Map.Entry<String, Object> f : client) {
      if (SERVER.contains(f.getKey()) || f.getValue() == null) continue;
      normalized.put(f.getKey(), f.getValue());
    }
    normalized.put("start", start).put("end", end);
    if (normalized.getValue("attendees") instanceof JsonArray att) normalized.put("attendees", attendees(att, cal.owner));
    if (normalized.getValue("extendedProperties") instanceof JsonObject ep) normalized.put("extendedProperties", extendedProperties(ep));
    List<ZonedDateTime> series = rule == null ? null : rule.expand(Instant.ofEpochMilli(s).atZone(eventZone), now);

    boolean timeChanged = e.data == null ? !isNew
      : !Objects.equals(e.data.getValue("start"), start) || !Objects.equals(e.data.getValue("end"), end)
        || !Objects.equals(e.data.getValue("recurrence"), rec);
    if (timeChanged && !isNew) e.sequence++;

    e.status = status;
    e.transparent = "transparent".equals(tr);
    e.allDay = Times.isAllDay(start);
    e.startMs = s;
    e.durMs = en - s;
    e.endMs = en;
    e.rule = rule;
    e.etag = etagNum;
    e.updatedMs = now;
    if (rule != null) {
      List<ZonedDateTime> all = series;
      boolean unbounded = rule.unbounded();
      e.endMs = unbounded ? Long.MAX_VALUE : all.isEmpty() ? en : all.get(all.size() - 1).toInstant().toEpochMilli() + e.durMs;
    }

    JsonObject server = new JsonObject().put("kind", "calendar#event").put("etag", etag(etagNum)).put("id", e.id)
      .put("status", status).put("htmlLink", htmlLink(cal.id, e.id)).put("created", Times.millis(e.createdMs))
      .put("updated", Times.millis(now)).put("creator", person(cal.owner)).put("organizer", person(cal.owner))
      .put("sequence", e.sequence).put("eventType", "default");
    if (e.recurringEventId != null) {
      server.put("recurringEventId", e.recurringEventId);
      JsonObject ost = e.data != null ? e.data.getJsonObject("originalStartTime") : client.getJsonObject("originalStartTime");
      if (ost != null) server.put("originalStartTime", ost);
    }
    JsonObject merged = normalized;
    if (merged.getValue("iCalUID") == null) {
      merged.put("iCalUID", e.data != null && e.data.getString("iCalUID") != null ? e.data.getString("iCalUID") : e.id + "@google.com");
    }
    if (e.recurringEventId != null) merged.remove("recurrence");
    if (merged.getValue("reminders") == null) merged.put("reminders", new JsonObject().put("useDefault", true));
    e.data = canonical(server, merged);
  }

  private static JsonArray attendees(JsonArray in, String owner) {
    JsonArray out = new JsonArray();
    for (Object o : in) {
      if (!(o instanceof JsonObject a)) throw GoogleErrors.invalid("Invalid attendee.");
      String email = a.getString("email");
      if (email == null || email.isBlank()) throw GoogleErrors.required("Missing attendee email.");
      JsonObject c = a.copy();
      if (email.equalsIgnoreCase(owner)) c.put("self", true);
      if (c.getValue("responseStatus") == null) c.put("responseStatus", "needsAction");
      out.add(c);
    }
    return out;
  }

  private static JsonObject extendedProperties(JsonObject ep) {
    JsonObject out = new JsonObject();
    for (String scope : List.of("private", "shared")) {
      if (ep.getValue(scope) instanceof JsonObject m) {
        JsonObject c = new JsonObject();
        for (Map.Entry<String, Object> kv : m) if (kv.getValue() != null) c.put(kv.getKey(), String.valueOf(kv.getValue()));
        out.put(scope, c);
      }
    }
    return out;
  }

  private static JsonObject canonical(JsonObject server, JsonObject client) {
    JsonObject out = new JsonObject();
    for (String k : ORDER) {
      Object v = server.containsKey(k) ? server.getValue(k) : client.getValue(k);
      if (v != null) out.put(k, v);
    }
    for (Map.Entry<String, Object> f : client) if (!out.containsKey(f.getKey())) out.put(f.getKey(), f.getValue());
    return out;
  }

  /**
   * Patch semantics: keys in {@code patch} replace keys in {@code base}; null removes a key; nested objects merge
   * recursively (so extendedProperties.private.k = null removes one property); arrays replace. start/end are
   * replaced whole when the patch names date or dateTime.
   */
  static JsonObject mergePatch(JsonObject base, JsonObject patch) {
    JsonObject out = base.copy();
    for (Map.Entry<String, Object> f : patch) {
      String k = f.getKey();
      Object v = f.getValue();
      if (v == null) {
        out.remove(k);
      } else if (v instanceof JsonObject pv && out.getValue(k) instanceof JsonObject bv
        && !((k.equals("start") || k.equals("end")) && (pv.containsKey("date") || pv.containsKey("dateTime")))) {
        out.put(k, mergePatch(bv, pv));
      } else {
        out.put(k, v instanceof JsonObject o ? o.copy() : v instanceof JsonArray a ? a.copy() : v);
      }
    }
    return out;
  }

  static JsonObject objectOrNull(JsonObject j, String key) {
    return j.getValue(key) instanceof JsonObject o ? o : null;
  }

  // ---------------------------------------------------------------- recurring instances

  /** One occurrence of a recurring series (virtual or an exception row). */
  record Instance(String id, long startMs, long endMs, boolean cancelled, JsonObject json, StoredEvent exception) {}

  static ZoneId zoneOf(CalendarData cal, StoredEvent master) {
    JsonObject start = master.data == null ? null : master.data.getJsonObject("start");
    return Recurrence.zoneOf(start == null ? null : start.getString("timeZone"), cal.zone);
  }

  /** Every occurrence of {@code master} in order, exceptions substituted (bounded by {@link Recurrence}). */
  static List<Instance> instances(CalendarData cal, StoredEvent master, long now) {
    ZoneId zone = zoneOf(cal, master);
    List<ZonedDateTime> starts = master.rule.expand(Instant.ofEpochMilli(master.startMs).atZone(zone), now);
    List<Instance> out = new ArrayList<>(starts.size());
    long days = master.allDay ? allDayDays(master) : 0;
    for (ZonedDateTime t : starts) {
      String iid = Recurrence.instanceId(master.id, t, master.allDay);
      StoredEvent ex = cal.byId.get(iid);
      if (ex != null) {
        out.add(new Instance(iid, ex.startMs, ex.endMs, ex.cancelled(), render(cal, ex), ex));
      } else {
        long s = t.toInstant().toEpochMilli();
        long e = master.allDay ? t.toLocalDate().plusDays(days).atStartOfDay(zone).toInstant().toEpochMilli()
          : s + master.durMs;
        out.add(new Instance(iid, s, e, master.cancelled(), null, null));
      }
    }
    return out;
  }

  /** Whole days an all-day master spans (its end date minus its start date; DST days are 23 or 25 hours long). */
  static long allDayDays(StoredEvent master) {
    JsonObject d = master.data;
    if (d != null && d.getValue("start") instanceof JsonObject st && d.getValue("end") instanceof JsonObject en
      && st.getValue("date") instanceof String sd && en.getValue("date") instanceof String ed) {
      try {
        return Math.max(1, LocalDate.parse(sd).until(LocalDate.parse(ed), ChronoUnit.DAYS));
      } catch (RuntimeException e) {
        // stored dates are validated on write; fall through
      }
    }
    return Math.max(1, Math.round(master.durMs / 86_400_000.0));
  }

  /** The JSON of a virtual instance (lazily built because most are filtered out or paged away). */
  static JsonObject instanceJson(CalendarData cal, StoredEvent master, Instance in) {
    if (in.json != null) return in.json;
    ZoneId zone = zoneOf(cal, master);
    JsonObject start, end, ost;
    if (master.allDay) {
      start = new JsonObject().put("date", LocalDate.ofInstant(Instant.ofEpochMilli(in.startMs), zone).toString());
      end = new JsonObject().put("date", LocalDate.ofInstant(Instant.ofEpochMilli(in.endMs), zone).toString());
    } else {
      start = new JsonObject().put("dateTime", formatDateTime(in.startMs, zone)).put("timeZone", zone.getId());
      end = new JsonObject().put("dateTime", formatDateTime(in.endMs, zone)).put("timeZone", zone.getId());
    }
    ost = start.copy();
    JsonObject md = render(cal, master);
    JsonObject out = new JsonObject();
    for (Map.Entry<String, Object> f : md) {
      switch (f.getKey()) {
        case "id" -> out.put("id", in.id);
        case "htmlLink" -> out.put("htmlLink", htmlLink(cal.id, in.id));
        case "start" -> out.put("start", start);
        case "end" -> {
          out.put("end", end);
          out.put("recurringEventId", master.id);
          out.put("originalStartTime", ost);
        }
        case "recurrence" -> { }
        default -> out.put(f.getKey(), f.getValue());
      }
    }
    return out;
  }

  /** Finds the occurrence of {@code master} called {@code instanceId}, or null. */
  static Instance findInstance(CalendarData cal, StoredEvent master, String instanceId, long now) {
    for (Instance in : instances(cal, master, now)) if (in.id.equals(instanceId)) return in;
    return null;
  }

  static boolean matchesText(JsonObject d, String q) {
    String needle = q.toLowerCase(Locale.ROOT);
    for (String k : List.of("summary", "description", "location")) {
      String v = d.getString(k);
      if (v != null && v.toLowerCase(Locale.ROOT).contains(needle)) return true;
    }
    List<JsonObject> people = new ArrayList<>();
    if (d.getValue("organizer") instanceof JsonObject o) people.add(o);
    if (d.getValue("attendees") instanceof JsonArray a) for (Object o : a) if (o instanceof JsonObject p) people.add(p);
    for (JsonObject p : people) {
      for (String k : List.of("email", "displayName")) {
        String v = p.getString(k);
        if (v != null && v.toLowerCase(Locale.ROOT).contains(needle)) return true;
      }
    }
    return false;
  }

  /** AND of every "name=value" constraint against extendedProperties.{scope}. */
  static boolean matchesProperties(JsonObject d, String scope, List<String> constraints) {
    if (constraints.isEmpty()) return true;
    JsonObject ep = d.getValue("extendedProperties") instanceof JsonObject o ? o : null;
    JsonObject m = ep != null && ep.getValue(scope) instanceof JsonObject s ? s : null;
    for (String c : constraints) {
      int eq = c.indexOf('=');
      String name = eq < 0 ? c : c.substring(0, eq);
      String value = eq < 0 ? "" : c.substring(eq + 1);
      if (m == null || !value.equals(m.getValue(name))) return false;
    }
    return true;
  }
}
