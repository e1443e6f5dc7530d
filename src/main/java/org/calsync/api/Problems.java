package org.calsync.api;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatorErrorType;
import io.vertx.openapi.validation.ValidatorException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.calsync.bus.FailureCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RFC 9457 problem details ({@code application/problem+json}): type, title, status, detail, {@code code} (the bus
 * {@link FailureCode} name, or an HTTP-only code) and {@code field} (the offending field or parameter, when known).
 */
final class Problems {
  private static final Logger log = LoggerFactory.getLogger(Problems.class);
  static final String MEDIA_TYPE = "application/problem+json";
  private static final Pattern PARAMETER = Pattern.compile("(?:query|path|header|cookie) parameter (\\w+)");
  private static final Pattern NAMED_FIELD = Pattern.compile("field '(\\w+)'");
  /** A bus message without "field '...'" names its field as the first quoted word ("'end' must be after 'start'"). */
  private static final Pattern QUOTED = Pattern.compile("'(\\w+)'");
  private static final Pattern PROPERTY = Pattern.compile("[Pp]roperty \"?'?(\\w+)");

  private Problems() {
  }

  static void send(RoutingContext ctx, int status, String code, String detail, String field) {
    if (ctx.response().ended()) return;
    JsonObject body = new JsonObject().put("type", "urn:calsync:problem:" + code.toLowerCase().replace('_', '-'))
        .put("title", title(status)).put("status", status).put("code", code);
    if (detail != null) body.put("detail", detail);
    if (field != null) body.put("field", field);
    ctx.response().setStatusCode(status).putHeader("Content-Type", MEDIA_TYPE).end(body.encode());
  }

  /**
   * A refusal of a request whose body was not read to its end: the connection (HTTP/1.1, see ApiVerticle) is closed
   * once the answer is out, so the unread rest of the body is never taken for a next request.
   */
  static void sendAndClose(RoutingContext ctx, int status, String code, String detail, String field) {
    if (ctx.response().ended()) return;
    ctx.response().putHeader("Connection", "close").endHandler(v -> ctx.request().connection().close());
    send(ctx, status, code, detail, field);
  }

  /**
   * A failed bus request: its failure code becomes the status (OUT_OF_RANGE: 422, HTTP's 416 being about Range
   * headers); timeouts and missing handlers are UNAVAILABLE.
   */
  static void fromBus(RoutingContext ctx, Throwable err) {
    if (err instanceof ReplyException re && re.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
      int code = re.failureCode();
      int status = switch (code) {
        case FailureCode.BAD_REQUEST, FailureCode.NOT_FOUND, FailureCode.NEEDS_RECONNECT, FailureCode.UNAVAILABLE -> code;
        case FailureCode.OUT_OF_RANGE -> 422;
        default -> 500;
      };
      String message = re.getMessage();
      String field = match(NAMED_FIELD, message);
      send(ctx, status, codeName(code), message, field != null || status == 500 ? field : match(QUOTED, message));
    } else if (err instanceof ReplyException re) {
      send(ctx, 503, "UNAVAILABLE", "the service did not answer (" + re.failureType().name().toLowerCase() + "); retry", null);
    } else {
      fromFailure(ctx, err);
    }
  }

  /** The router's failure handler: validation, body limit, unknown routes, anything unexpected. */
  static void fromFailure(RoutingContext ctx, Throwable err) {
    if (err instanceof HttpException he && he.getCause() instanceof ValidatorException cause) err = cause;
    if (err instanceof ValidatorException ve) {
      if (ve.getMessage().contains("request body can't be decoded")) {
        send(ctx, 400, "BAD_REQUEST", "the body is not one JSON value in UTF-8", "body");
      } else if (ve.type() == ValidatorErrorType.UNSUPPORTED_VALUE_FORMAT && ve.getMessage().contains("body")) {
        send(ctx, 415, "UNSUPPORTED_MEDIA_TYPE", "send the body as application/json (UTF-8)", "body");
      } else {
        send(ctx, 400, "BAD_REQUEST", ve.getMessage(), field(ve));
      }
      return;
    }
    int status = err instanceof HttpException he ? he.getStatusCode() : ctx.statusCode() > 0 ? ctx.statusCode() : 500;
    switch (status) {
      case 413 -> sendAndClose(ctx, 413, "PAYLOAD_TOO_LARGE", "the body is larger than api.bodyLimitBytes", "body");
      case 404 -> send(ctx, 404, "NOT_FOUND", "no such route: " + ctx.request().method() + " " + ctx.normalizedPath(), null);
      case 405 -> send(ctx, 405, "BAD_REQUEST", "method not allowed on " + ctx.normalizedPath(), null);
      case 400 -> send(ctx, 400, "BAD_REQUEST", err == null ? "bad request" : err.getMessage(), null);
      default -> {
        log.warn("api: {} {} failed", ctx.request().method(), ctx.normalizedPath(), err);
        send(ctx, 500, "INTERNAL", "unexpected failure; see the logs", null);
      }
    }
  }

  static String codeName(int code) {
    return switch (code) {
      case FailureCode.BAD_REQUEST -> "BAD_REQUEST";
      case FailureCode.NOT_FOUND -> "NOT_FOUND";
      case FailureCode.NEEDS_RECONNECT -> "NEEDS_RECONNECT";
      case FailureCode.UNAVAILABLE -> "UNAVAILABLE";
      case FailureCode.OUT_OF_RANGE -> "OUT_OF_RANGE";
      default -> "INTERNAL";
    };
  }

  /** The parameter or body field a validation error is about ("body" when the body as a whole is). */
  static String field(ValidatorException ve) {
    String param = match(PARAMETER, ve.getMessage());
    if (param != null) return param;
    if (ve instanceof SchemaValidationException se && se.getOutputUnit() != null) {
      String f = deepest(se.getOutputUnit());
      if (f != null) return f;
    }
    return "body";
  }

  private static String deepest(OutputUnit unit) {
    if (unit.getErrors() != null) {
      for (OutputUnit e : unit.getErrors()) {
        String f = deepest(e);
        if (f != null) return f;
      }
    }
    String loc = unit.getInstanceLocation();
    if (loc != null) {
      String path = loc.replaceFirst("^#?/?", "");
      if (!path.isEmpty()) return path;
    }
    return unit.getError() == null ? null : match(PROPERTY, unit.getError());
  }

  private static String match(Pattern p, String text) {
    if (text == null) return null;
    Matcher m = p.matcher(text);
    return m.find() ? m.group(1) : null;
  }

  private static String title(int status) {
    return switch (status) {
      case 400 -> "Bad request";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not found";
      case 405 -> "Method not allowed";
      case 406 -> "Not acceptable";
      case 408 -> "Request timeout";
      case 409 -> "Needs reconnect";
      case 413 -> "Body too large";
      case 415 -> "Unsupported media type";
      case 422 -> "Out of range";
      case 503 -> "Unavailable";
      default -> "Internal error";
    };
  }
}
