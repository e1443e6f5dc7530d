package org.calsync.emulator;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A Google-shaped API failure. Thrown by the state operations; the HTTP layer renders it as
 * {@code {"error":{"errors":[{domain,reason,message[,locationType,location]}],"code":N,"message":...}}}.
 */
public final class ApiError extends RuntimeException {
  public final int status;
  public final String domain;
  public final String reason;
  public final String locationType;
  public final String location;
  /** Top-level {@code "status"} (e.g. PERMISSION_DENIED, UNAUTHENTICATED) of errors raised in front of the Calendar backend, else null. */
  public final String apiStatus;
  /** errors[0].message: the top-level message, except for the 401s (their top-level message is longer). */
  public final String itemMessage;
  /** Top-level {@code "details"} (google.rpc error details), rendered after "status"; null when absent. */
  public final JsonArray details;

  public ApiError(int status, String domain, String reason, String message, String locationType, String location) {
    this(status, domain, reason, message, locationType, location, null);
  }

  /** With a top-level {@code "status"}, rendered in that newer key order (code, message, errors, status). */
  public ApiError(int status, String domain, String reason, String message, String locationType, String location,
                  String apiStatus) {
    this(status, domain, reason, message, message, locationType, location, apiStatus);
  }

  /** {@code message} is the top-level message, {@code itemMessage} the one in errors[0]. */
  public ApiError(int status, String domain, String reason, String message, String itemMessage, String locationType,
                  String location, String apiStatus) {
    this(status, domain, reason, message, itemMessage, locationType, location, apiStatus, null);
  }

  /** With top-level {@code "details"} (only rendered together with {@code apiStatus}). */
  public ApiError(int status, String domain, String reason, String message, String itemMessage, String locationType,
                  String location, String apiStatus, JsonArray details) {
    super(message, null, false, false);
    this.details = details;
    this.apiStatus = apiStatus;
    this.itemMessage = itemMessage;
    this.status = status;
    this.domain = domain;
    this.reason = reason;
    this.locationType = locationType;
    this.location = location;
  }

  public ApiError(int status, String domain, String reason, String message) {
    this(status, domain, reason, message, null, null);
  }

  public JsonObject toJson() {
    if (apiStatus != null) {
      JsonObject item = new JsonObject().put("message", itemMessage).put("domain", domain).put("reason", reason);
      if (location != null) item.put("location", location);
      if (locationType != null) item.put("locationType", locationType);
      JsonObject error = new JsonObject().put("code", status).put("message", getMessage())
        .put("errors", new JsonArray().add(item)).put("status", apiStatus);
      if (details != null) error.put("details", details.copy());
      return new JsonObject().put("error", error);
    }
    JsonObject item = new JsonObject().put("domain", domain).put("reason", reason).put("message", itemMessage);
    if (locationType != null) item.put("locationType", locationType);
    if (location != null) item.put("location", location);
    return new JsonObject().put("error", new JsonObject()
      .put("errors", new JsonArray().add(item)).put("code", status).put("message", getMessage()));
  }
}
