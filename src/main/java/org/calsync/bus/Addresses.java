package org.calsync.bus;

/**
 * Every event-bus address of calsync, with its contract. Bodies are JSON objects. Request/reply failures carry a
 * {@link FailureCode} as the failure code and a human-readable message.
 */
public final class Addresses {
  private Addresses() {
  }

  /**
   * Request/reply, served by TokenVerticle. Body {@code {"integrationId": long, "force": boolean?, "verify": boolean?}};
   * force refreshes unless the stored token differs from the one this process handed out (after a 401); verify always
   * exchanges the refresh token (token health). Reply {@code {"accessToken": string, "expiresAt": epochMillis}}.
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
   * Request/reply, served by ConnectionVerticle: new credentials for an integration (needs_reconnect or active). Body
   * {@code {"integrationId": long, "refreshToken": string}}. Reply {@code {"integrationId": long, "status": "active"}}.
   * The integration keeps its calendars, sync tokens and mirror, and a manual sync is queued, so syncing resumes where
   * it stopped. Publishes {@link #INTEGRATION_STATUS} and audits. Failures: BAD_REQUEST (missing field, blank or
   * implausible token; nothing changes), NOT_FOUND (no such integration, or it was disconnected: connect a new one),
   * UNAVAILABLE (database).
   */
  public static final String INTEGRATION_RECONNECT = "calsync.integration.reconnect";

  /**
   * Request/reply, served by ConnectionVerticle: disconnect and erase (GDPR). Body {@code {"integrationId": long}}.
   * Revokes the grant at Google, then erases our copy even when the revoke failed: credentials, account email,
   * calendars, mirrored events, jobs; live push channels are marked stopped; status becomes "disconnected". Reply
   * {@code {"integrationId": long, "status": "disconnected", "revoke": "revoked"|"failed: <code>"|"skipped: <why>",
   * "calendarsErased": long, "eventsErased": long, "jobsErased": long, "channelsStopped": long}}. Idempotent. Publishes
   * {@link #INTEGRATION_STATUS} (once) and audits. Failures: BAD_REQUEST, NOT_FOUND, UNAVAILABLE (database; nothing
   * was erased, retry).
   */
  public static final String INTEGRATION_DISCONNECT = "calsync.integration.disconnect";

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
