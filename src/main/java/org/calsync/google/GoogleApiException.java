package org.calsync.google;

/** A failed Google call, classified for the retry policy. Messages never contain tokens. */
public final class GoogleApiException extends RuntimeException {
  /** How the caller should react. */
  public enum Kind {
    /** 401: refresh the access token once, then retry. */
    AUTH,
    /** 403/429 rateLimitExceeded or userRateLimitExceeded: exponential backoff, lower concurrency. */
    RATE_LIMIT,
    /** 403 quotaExceeded: Calendar usage limits; defer the integration for hours. */
    QUOTA,
    /** 410 fullSyncRequired / updatedMinTooLongAgo: drop the sync token, full sync. */
    FULL_SYNC,
    /** Network error, timeout, 408, 5xx: retry with backoff. */
    TRANSIENT,
    /** A 2xx whose body is not the JSON we expect. */
    MALFORMED,
    /** Anything else (400, 403 forbidden, 404, 409, 412...): do not retry. */
    PERMANENT
  }

  private final Kind kind;
  private final int status;
  private final String reason;
  private final long retryAfterSeconds;

  public GoogleApiException(Kind kind, int status, String reason, String message, long retryAfterSeconds, Throwable cause) {
    super(message, cause);
    this.kind = kind;
    this.status = status;
    this.reason = reason;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public Kind kind() {
    return kind;
  }

  public int status() {
    return status;
  }

  /** Google's error reason (e.g. rateLimitExceeded), or a local one such as "network" or "malformed". */
  public String reason() {
    return reason;
  }

  /** Retry-After in seconds, or -1 when Google did not send one. */
  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }

  public boolean retryable() {
    return kind == Kind.TRANSIENT || kind == Kind.RATE_LIMIT;
  }

  /**
   * For a listing sent with a sync token: the token is gone, list in full. Google documents every 410 on such a
   * listing that way, whatever its reason ({@link Kind#FULL_SYNC} names the two documented ones).
   */
  public boolean syncTokenGone() {
    return status == 410;
  }
}
