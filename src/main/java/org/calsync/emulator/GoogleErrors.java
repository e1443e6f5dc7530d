package org.calsync.emulator;

/** The error catalogue of SPEC §6.2 (exact statuses, domains, reasons and messages). */
public final class GoogleErrors {
  private GoogleErrors() {}

  public static ApiError authError() {
    return new ApiError(401, "global", "authError", "Invalid Credentials", "header", "Authorization");
  }
  public static ApiError notFound() { return new ApiError(404, "global", "notFound", "Not Found"); }
  public static ApiError duplicate() { return new ApiError(409, "global", "duplicate", "The requested identifier already exists."); }
  public static ApiError deleted() { return new ApiError(410, "global", "deleted", "Resource has been deleted"); }
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
