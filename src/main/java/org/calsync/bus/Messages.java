package org.calsync.bus;

import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

/** Validation of incoming event-bus bodies: a malformed message gets a BAD_REQUEST reply and changes nothing. */
public final class Messages {
  private Messages() {
  }

  /** The body as a JSON object, or null after replying BAD_REQUEST. Accepts JsonObject or a JSON string. */
  public static JsonObject body(Message<?> msg) {
    Object b = msg.body();
    if (b instanceof JsonObject o) return o;
    if (b instanceof String s) {
      try {
        return new JsonObject(s);
      } catch (RuntimeException e) {
        // fall through
      }
    }
    fail(msg, "body must be a JSON object, got " + (b == null ? "nothing" : b.getClass().getSimpleName()));
    return null;
  }

  /** A required positive whole number field, or null after replying BAD_REQUEST. */
  public static Long requireLong(Message<?> msg, JsonObject body, String field) {
    Object v = body.getValue(field);
    if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && n.longValue() > 0) return n.longValue();
    fail(msg, "field '" + field + "' must be a positive whole number, got " + (v == null ? "nothing" : "'" + v + "'"));
    return null;
  }

  private static void fail(Message<?> msg, String why) {
    if (msg.replyAddress() != null) msg.fail(FailureCode.BAD_REQUEST, why);
    else org.slf4j.LoggerFactory.getLogger(Messages.class).warn("dropped malformed message on {}: {}", msg.address(), why);
  }
}
