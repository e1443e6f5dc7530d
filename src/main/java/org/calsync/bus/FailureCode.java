package org.calsync.bus;

/** Stable failure codes for event-bus replies (message.fail(code, message)). */
public final class FailureCode {
  private FailureCode() {
  }

  /** The request body is missing, not JSON, or lacks a required field. Not retryable. */
  public static final int BAD_REQUEST = 400;
  /** The integration (or other entity) does not exist. */
  public static final int NOT_FOUND = 404;
  /** The integration's Google grant is gone; a person must reconnect it. */
  public static final int NEEDS_RECONNECT = 409;
  /**
   * The request reaches further than calsync answers (booking.maxAheadDays ahead of now): no answer rather than a
   * guess. Not retryable as is; ask a nearer range.
   */
  public static final int OUT_OF_RANGE = 416;
  /** Something we do not handle went wrong; see the logs. */
  public static final int INTERNAL = 500;
  /** A dependency (Google, PostgreSQL) is unavailable now; retry later. */
  public static final int UNAVAILABLE = 503;
}
