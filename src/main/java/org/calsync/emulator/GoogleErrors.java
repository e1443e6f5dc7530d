package org.calsync.emulator;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The error catalogue of SPEC §6.2 (exact statuses, domains, reasons and messages); the 401 bodies as Google sends
 * them today (googleapis/google-api-nodejs-client#3592, spatie/laravel-google-calendar#184).
 */
public final class GoogleErrors {
  private GoogleErrors() {}

  private static final String CREDENTIAL_HINT = "Expected OAuth 2 access token, login cookie or other valid "
    + "authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.";

  /** 401 for an unknown, expired or revoked access token (Google's current body, with "status"). */
  public static ApiError authError() {
    return new ApiError(401, "global", "authError", "Request had invalid authentication credentials. " + CREDENTIAL_HINT,
      "Invalid Credentials", "header", "Authorization", "UNAUTHENTICATED");
  }

  /** 401 for a request without an Authorization header. */
  public static ApiError loginRequired() {
    return new ApiError(401, "global", "required", "Request is missing required authentication credential. "
      + CREDENTIAL_HINT, "Login Required.", "header", "Authorization", "UNAUTHENTICATED");
  }
  /**
   * 403 for an access token lacking every scope the method accepts (body as Google sends it today,
   * analogdotnow/Analog#296, GeneralTask/task-manager#2160): reason insufficientPermissions, status PERMISSION_DENIED
   * and an ErrorInfo detail ACCESS_TOKEN_SCOPE_INSUFFICIENT naming the method (e.g. "calendar.v3.Events.Insert").
   * {@code methodId} is the discovery id without the "calendar." prefix ("events.insert").
   */
  public static ApiError insufficientScopes(String methodId) {
    StringBuilder rpc = new StringBuilder("calendar.v3");
    for (String part : methodId.split("\\.")) rpc.append('.').append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
    JsonObject info = new JsonObject().put("@type", "type.googleapis.com/google.rpc.ErrorInfo")
      .put("reason", "ACCESS_TOKEN_SCOPE_INSUFFICIENT").put("domain", "googleapis.com")
      .put("metadata", new JsonObject().put("service", "calendar-json.googleapis.com").put("method", rpc.toString()));
    return new ApiError(403, "global", "insufficientPermissions", "Request had insufficient authentication scopes.",
      "Insufficient Permission", null, null, "PERMISSION_DENIED", new JsonArray().add(info));
  }
  public static ApiError notFound() { return new ApiError(404, "global", "notFound", "Not Found"); }
  public static ApiError duplicate() { return new ApiError(409, "global", "duplicate", "The requested identifier already exists."); }
  public static ApiError deleted() { return new ApiError(410, "global", "deleted", "Resource has been deleted"); }
  /**
   * A 410 with another reason than the catalogue's (test hooks: {@link EmulatorState#refuseNextListToken},
   * {@link EmulatorState#refuseNextEventsToken}).
   */
  public static ApiError gone(String reason) { return new ApiError(410, "global", reason, "Gone"); }
  public static ApiError fullSyncRequired() {
    return new ApiError(410, "calendar", "fullSyncRequired", "Sync token is no longer valid, a full sync is required.",
      "parameter", "syncToken");
  }
  public static ApiError updatedMinTooLongAgo() {
    return new ApiError(410, "calendar", "updatedMinTooLongAgo", "The requested minimum modification time lies too far in the past.",
      "parameter", "updatedMin");
  }
  public static ApiError conditionNotMet() {
    return new ApiError(412, "global", "conditionNotMet", "Precondition Failed", "header", "If-Match");
  }
  public static ApiError timeRangeEmpty() {
    return new ApiError(400, "calendar", "timeRangeEmpty", "The specified time range is empty.", "parameter", "timeMax");
  }
  /** 403 for an operation the caller's access role on the calendar does not allow (level: "writer" or "reader"). */
  public static ApiError requiredAccessLevel(String level) {
    return new ApiError(403, "calendar", "requiredAccessLevel", "You need to have " + level + " access to this calendar.");
  }
  public static ApiError badRequest() { return new ApiError(400, "global", "badRequest", "Bad Request"); }
  public static ApiError invalid(String message) { return new ApiError(400, "global", "invalid", message); }
  public static ApiError invalidParameter(String param) {
    return new ApiError(400, "global", "invalid", "Invalid Value", "parameter", param);
  }
  public static ApiError required(String message) { return new ApiError(400, "global", "required", message); }
  public static ApiError invalidResourceId() { return new ApiError(400, "global", "invalid", "Invalid resource id value."); }
  public static ApiError parseError() { return new ApiError(400, "global", "parseError", "Parse Error"); }
  public static ApiError rateLimit(int status) { return new ApiError(status, "usageLimits", "rateLimitExceeded", "Rate Limit Exceeded"); }
  /** Project number quoted by {@link #quotaSystemRateLimit()} (fictitious). */
  public static final String PROJECT_NUMBER = "100000000042";

  /**
   * A rate limit rejected by Google's quota system rather than the Calendar backend (SPEC 6.1: Easy!Appointments
   * #995, Inky-Calendar-Server#104): 403, domain usageLimits, reason rateLimitExceeded, a long message and
   * {@code "status":"PERMISSION_DENIED"}.
   */
  public static ApiError quotaSystemRateLimit() {
    return new ApiError(403, "usageLimits", "rateLimitExceeded", "Quota exceeded for quota metric 'Queries' and limit "
      + "'Queries per minute per user' of service 'calendar-json.googleapis.com' for consumer 'project_number:"
      + PROJECT_NUMBER + "'.", null, null, "PERMISSION_DENIED");
  }
  public static ApiError userRateLimit() { return new ApiError(403, "usageLimits", "userRateLimitExceeded", "User Rate Limit Exceeded"); }
  public static ApiError quotaExceeded() { return new ApiError(403, "usageLimits", "quotaExceeded", "Calendar usage limits exceeded."); }
  public static ApiError backendError(int status) { return new ApiError(status, "global", "backendError", "Backend Error"); }
}
