package org.calsync.bus;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bus boundary: every served address parses its body into a request record (a malformed body raises
 * {@link BusFailure} BAD_REQUEST and changes nothing), handles it, and replies through {@link #reply}.
 */
public final class Messages {
  private static final Logger log = LoggerFactory.getLogger(Messages.class);

  private Messages() {
  }

  /**
   * Serves one message: parse turns its body into the address's request (throwing {@link BusFailure} when it is
   * malformed), handle does the work; the outcome is replied by {@link #reply}.
   */
  public static <R> void serve(Message<Object> msg, Function<JsonObject, R> parse, Function<R, Future<JsonObject>> handle) {
    Future<JsonObject> result;
    try {
      result = handle.apply(parse.apply(body(msg)));
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    result.onComplete(ar -> reply(msg, ar));
  }

  /**
   * Replies the outcome: the result, or the {@link BusFailure}'s code and message; any other failure is logged and
   * answered UNAVAILABLE ("try again later"). A send without reply address only logs a failure.
   */
  public static void reply(Message<?> msg, AsyncResult<JsonObject> ar) {
    if (ar.succeeded()) {
      if (msg.replyAddress() != null) msg.reply(ar.result());
      return;
    }
    Throwable err = ar.cause();
    if (msg.replyAddress() == null) {
      log.warn("{} failed: {}", msg.address(), err.getMessage());
    } else if (err instanceof BusFailure f) {
      msg.fail(f.failureCode(), f.getMessage());
    } else {
      log.warn("{} failed: {}", msg.address(), err.toString());
      msg.fail(FailureCode.UNAVAILABLE, "try again later: " + err.getMessage());
    }
  }

  /** The body as a JSON object (a JsonObject or a string holding one). */
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
    throw BusFailure.badRequest("body must be a JSON object, got " + (b == null ? "nothing" : b.getClass().getSimpleName()));
  }

  /** A required positive whole number field. */
  public static long requireLong(JsonObject body, String field) {
    Object v = body.getValue(field);
    if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && n.longValue() > 0) return n.longValue();
    throw BusFailure.badRequest("field '" + field + "' must be a positive whole number, got "
        + (v == null ? "nothing" : "'" + v + "'"));
  }

  /** An optional boolean field (absent: false). */
  public static boolean flag(JsonObject body, String field) {
    Object v = body.getValue(field);
    if (v == null) return false;
    if (v instanceof Boolean b) return b;
    throw BusFailure.badRequest("field '" + field + "' must be true or false");
  }
}
