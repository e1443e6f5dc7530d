package org.calsync.bus;

/**
 * Every event-bus address of calsync, with its contract. Bodies are JSON objects. Request/reply failures carry a
 * {@link FailureCode} as the failure code and a human-readable message.
 */
public final class Addresses {
  private Addresses() {
  }

  /**
   * Request/reply, served by TokenVerticle. Body {@code {"integrationId": long, "force": boolean?}}; force refreshes
   * even if the cached token looks valid (after a 401). Reply {@code {"accessToken": string, "expiresAt": epochMillis}}.
   * Failures: BAD_REQUEST, NOT_FOUND, NEEDS_RECONNECT (invalid_grant / revoked; the integration is marked),
   * UNAVAILABLE (network, 5xx: retry later).
   */
  public static final String TOKEN_GET = "calsync.token.get";

  /**
   * Publish, by TokenVerticle and the CLI-driven paths. Body {@code {"integrationId": long, "userId": long,
   * "status": "active"|"needs_reconnect"|"disconnected", "reason": string, "at": iso8601}}. Sent once per transition.
   * PushVerticle listens: needs_reconnect / disconnected stop the integration's push channels.
   */
  public static final String INTEGRATION_STATUS = "calsync.integration.status";

  /**
   * Send (no reply), served by AuditVerticle. Body {@code {"actor": string, "action": string,
   * "integrationId": long?, "detail": object?}}. Records are batched, hash-chained and never hold secrets.
   */
  public static final String AUDIT_RECORD = "calsync.audit.record";

  /**
   * Publish. Body {@code {}}. Wakes the sync workers: jobs are due now (new enqueue, manual sync, push; the push
   * webhook publishes when its debounced job becomes due).
   */
  public static final String JOBS_AVAILABLE = "calsync.jobs.available";

  /**
   * Publish, by the sync workers after each job. Body {@code {"integrationId": long, "outcome":
   * "synced"|"retry"|"failed"|"needs_reconnect"|"deferred"|"refused", "changed": int, "deleted": int, "fullSync": boolean,
   * "error": string?, "durationMs": long}}.
   */
  public static final String SYNC_COMPLETED = "calsync.sync.completed";

  /**
   * Publish, by SchedulerVerticle when a cycle is dispatched. Body {@code {"cycle": long, "enqueued": int,
   * "windowSeconds": long, "at": iso8601}}.
   */
  public static final String CYCLE_STARTED = "calsync.scheduler.cycle";
}
