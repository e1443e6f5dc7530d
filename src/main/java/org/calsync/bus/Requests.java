package org.calsync.bus;

import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

/**
 * The request bodies of the integration addresses ({@link Addresses#TOKEN_GET}, {@link Addresses#INTEGRATION_RECONNECT},
 * {@link Addresses#INTEGRATION_DISCONNECT}) as records; each parse throws {@link BusFailure} BAD_REQUEST naming the
 * field. The booking addresses' requests are in booking.Requests, the audit record in audit.AuditEvent.
 */
public final class Requests {
  private Requests() {
  }

  /**
   * {@link Addresses#TOKEN_GET}; force is implied by verify, and by refused (the access token a 401 just refused: a
   * refresh happens only while it is still the current one, so callers refused the same token share one refresh even
   * when one arrives after another's refresh finished).
   */
  public record TokenGet(long integrationId, boolean force, boolean verify, boolean active, String refused) {
    /**
     * Every sender's explicit timeout: above the token verticle's own bound at the default google.requestTimeoutMs (it
     * waits at most two refresh leases, 2 x 45 s, for another process's refresh, then refreshes once within 30 s).
     */
    public static final DeliveryOptions DELIVERY = new DeliveryOptions().setSendTimeout(125_000);

    public TokenGet(long integrationId, boolean force, boolean verify, boolean active) {
      this(integrationId, force, verify, active, null);
    }

    /** After a 401 on the access token refused: a token other than it. */
    public static TokenGet refused(long integrationId, String refused) {
      return new TokenGet(integrationId, true, false, false, refused);
    }

    public static TokenGet parse(JsonObject body) {
      long id = Messages.requireLong(body, "integrationId");
      boolean verify = Messages.flag(body, "verify");
      Object r = body.getValue("refused");
      if (r != null && (!(r instanceof String s) || s.isEmpty() || s.length() > 4096)) {
        throw BusFailure.badRequest("field 'refused' must be the refused access token (a non-empty string)");
      }
      String refused = (String) r;
      return new TokenGet(id, verify || refused != null || Messages.flag(body, "force"), verify, Messages.flag(body, "active"), refused);
    }

    public JsonObject toJson() {
      JsonObject o = new JsonObject().put("integrationId", integrationId).put("force", force).put("verify", verify);
      if (refused != null) o.put("refused", refused);
      return active ? o.put("active", true) : o;
    }
  }

  /** {@link Addresses#INTEGRATION_RECONNECT}. The token is never echoed in a reply or a log line. */
  /** refreshToken is null when delegated (Workspace domain-wide delegation). */
  public record Reconnect(long integrationId, String refreshToken, boolean delegated) {
    public static Reconnect parse(JsonObject body) {
      long id = Messages.requireLong(body, "integrationId");
      if (Messages.flag(body, "delegated")) {
        if (body.getValue("refreshToken") != null) {
          throw BusFailure.badRequest("give either field 'refreshToken' or 'delegated': true, not both");
        }
        return new Reconnect(id, null, true);
      }
      if (!(body.getValue("refreshToken") instanceof String token) || token.isBlank() || token.length() > 4096) {
        throw BusFailure.badRequest("field 'refreshToken' must be a non-blank string of at most 4096 characters");
      }
      return new Reconnect(id, token.trim(), false);
    }

    @Override
    public String toString() {
      return "Reconnect[integrationId=" + integrationId + ", delegated=" + delegated + "]";
    }
  }

  /** {@link Addresses#CONNECT_LINK_CREATE}. */
  public record ConnectLink(long userId, String loginHint, String returnUrl, Long integrationId) {
    public static ConnectLink parse(JsonObject body) {
      long userId = Messages.requireLong(body, "userId");
      Object id = body.getValue("integrationId");
      if (id != null && !(id instanceof Number)) throw BusFailure.badRequest("field 'integrationId' must be a number");
      return new ConnectLink(userId, optional(body, "loginHint", 320), optional(body, "returnUrl", 2048),
          id == null ? null : ((Number) id).longValue());
    }

    private static String optional(JsonObject body, String field, int max) {
      Object v = body.getValue(field);
      if (v == null) return null;
      if (!(v instanceof String s) || s.isBlank() || s.length() > max) {
        throw BusFailure.badRequest("field '" + field + "' must be a non-blank string of at most " + max + " characters");
      }
      return s.trim();
    }
  }

  /** {@link Addresses#INTEGRATION_DISCONNECT}. */
  public record Disconnect(long integrationId) {
    public static Disconnect parse(JsonObject body) {
      return new Disconnect(Messages.requireLong(body, "integrationId"));
    }
  }

  /** {@link Addresses#CALENDARS_LIST}. */
  public record CalendarsList(long integrationId) {
    public static CalendarsList parse(JsonObject body) {
      return new CalendarsList(Messages.requireLong(body, "integrationId"));
    }
  }

  /**
   * {@link Addresses#CALENDARS_UPDATE}: busySet says whether "busy" was given (busy null then means "back to the
   * default"); writeTarget is true or absent.
   */
  public record CalendarUpdate(long integrationId, String calendarId, boolean busySet, Boolean busy, boolean writeTarget) {
    public static CalendarUpdate parse(JsonObject body) {
      long id = Messages.requireLong(body, "integrationId");
      if (!(body.getValue("calendarId") instanceof String cal) || cal.isBlank() || cal.length() > 1024) {
        throw BusFailure.badRequest("field 'calendarId' must be the Google calendar id (a non-blank string)");
      }
      Object busy = body.getValue("busy");
      if (busy != null && !(busy instanceof Boolean)) {
        throw BusFailure.badRequest("field 'busy' must be true, false or null (null: back to the default), got '" + busy + "'");
      }
      Object target = body.getValue("writeTarget");
      if (target != null && !Boolean.TRUE.equals(target)) {
        throw BusFailure.badRequest("field 'writeTarget' can only be true (choose another calendar as write target instead)");
      }
      if (!body.containsKey("busy") && target == null) {
        throw BusFailure.badRequest("give 'busy' and/or 'writeTarget'");
      }
      return new CalendarUpdate(id, cal, body.containsKey("busy"), (Boolean) busy, target != null);
    }
  }

  /** {@link Addresses#NOTICES_READ}: after >= 0 (default 0), 1 <= limit <= 500 (default 100), 0 <= waitSeconds <= 60. */
  public record NoticesRead(long after, int limit, int waitSeconds) {
    public static NoticesRead parse(JsonObject body) {
      return new NoticesRead(bounded(body, "after", 0, 0, Long.MAX_VALUE), (int) bounded(body, "limit", 100, 1, 500),
          (int) bounded(body, "waitSeconds", 0, 0, 60));
    }

    private static long bounded(JsonObject body, String field, long def, long min, long max) {
      Object v = body.getValue(field);
      if (v == null) return def;
      if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && n.longValue() >= min && n.longValue() <= max) {
        return n.longValue();
      }
      throw BusFailure.badRequest("field '" + field + "' must be a whole number from " + min + " to " + max + ", got '" + v + "'");
    }
  }
}
