package org.calsync.google;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.calsync.google.GoogleApiException.Kind;

/** Maps Google's error responses (status + {"error":{"errors":[{"reason"}]}}) and local failures to typed errors. */
public final class GoogleErrors {
  private GoogleErrors() {
  }

  public static GoogleApiException fromResponse(String operation, HttpResponse<Buffer> response) {
    int status = response.statusCode();
    String reason = code(reasonOf(response.body()));
    Kind kind = classify(status, reason);
    long retryAfter = parseRetryAfter(response.getHeader("Retry-After"));
    return new GoogleApiException(kind, status, reason,
        operation + " failed: HTTP " + status + (reason.isEmpty() ? "" : " " + reason), retryAfter, null);
  }

  /**
   * A local failure (timeout, reset, refused connection). The message names the operation and {@link #describe} of
   * the cause; the cause itself is not kept, because HTTP client messages quote the request URI (calendar id, syncToken,
   * pageToken) and would reach logs and stack traces through it.
   */
  public static GoogleApiException network(String operation, Throwable cause) {
    return new GoogleApiException(Kind.TRANSIENT, 0, "network", operation + " failed: " + describe(cause), -1, null);
  }

  /** problem is sanitized like a network message: no URLs, addresses or token-like strings survive. */
  public static GoogleApiException malformed(String operation, String problem) {
    return new GoogleApiException(Kind.MALFORMED, 200, "malformed",
        operation + " returned a malformed body: " + Redaction.text(problem), -1, null);
  }

  /** Exception class and its message with URIs, e-mail addresses and token-like strings removed. */
  public static String describe(Throwable cause) {
    String message = Redaction.text(cause.getMessage());
    return cause.getClass().getSimpleName() + (message.isEmpty() ? "" : ": " + message);
  }

  /** Google's error codes are short identifiers; anything else in that field is not trusted into messages. */
  static String code(String reason) {
    return reason.matches("[A-Za-z0-9_.-]{1,64}") ? reason : "";
  }

  static Kind classify(int status, String reason) {
    if (status == 401) return Kind.AUTH;
    if (status == 429) return Kind.RATE_LIMIT;
    if (status == 403) {
      switch (reason) {
        case "rateLimitExceeded", "userRateLimitExceeded" -> {
          return Kind.RATE_LIMIT;
        }
        case "quotaExceeded", "dailyLimitExceeded" -> {
          return Kind.QUOTA;
        }
        default -> {
          return Kind.PERMANENT;
        }
      }
    }
    if (status == 410 && ("fullSyncRequired".equals(reason) || "updatedMinTooLongAgo".equals(reason))) return Kind.FULL_SYNC;
    if (status == 408 || status >= 500) return Kind.TRANSIENT;
    return Kind.PERMANENT;
  }

  static String reasonOf(Buffer body) {
    if (body == null || body.length() == 0) return "";
    try {
      JsonObject error = new JsonObject(body).getJsonObject("error");
      if (error == null) return "";
      JsonArray errors = error.getJsonArray("errors");
      if (errors != null && !errors.isEmpty() && errors.getValue(0) instanceof JsonObject first) {
        return String.valueOf(first.getString("reason", ""));
      }
      return "";
    } catch (RuntimeException e) {
      return "";
    }
  }

  static long parseRetryAfter(String header) {
    if (header == null) return -1;
    try {
      return Math.max(0, Long.parseLong(header.trim()));
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
