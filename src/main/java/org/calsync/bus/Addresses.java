package org.calsync.bus;

/**
 * Every event-bus address of calsync, with its contract: the documented body fields are exactly those sent or
 * published ('?' marks a field that may be absent; AddressesContractTest compares them with real messages). Bodies are
 * JSON objects. Request bodies are parsed into records ({@link Requests}, booking.Requests, audit.AuditEvent);
 * request/reply failures carry a {@link FailureCode} as the failure code and a human-readable message
 * ({@link BusFailure}, replied by {@link Messages#reply}).
 */
public final class Addresses {
  private Addresses() {
  }

  /**
   * Request/reply, served by TokenVerticle. Body {@code {"integrationId": long, "force": boolean?, "verify": boolean?,
   * "active": boolean?, "refused": string?}}; refused (the access token a 401 just refused; implies force) refreshes
   * only while that token is still the current one, otherwise hands out the current one; force without refused
   * refreshes unless the stored token differs from the one this process cached; verify always exchanges the refresh token (token health); active: the sender has just read the integration
   * as active (a sync's job claim), so a cached token is handed out without reading its status again. Reply {@code {"accessToken": string, "expiresAt": epochMillis}}.
   * Failures: BAD_REQUEST, NOT_FOUND, NEEDS_RECONNECT (the integration is not active, also when a token is cached; or
   * invalid_grant / revoked just marked it),
   * INTERNAL (invalid_client / unauthorized_client: our OAuth client configuration; no status change),
   * UNAVAILABLE (network, 5xx, or another process's refresh did not finish: retry later). Senders use
   * {@link Requests.TokenGet#DELIVERY} (an explicit send timeout above the verticle's own bound).
   */
  public static final String TOKEN_GET = "calsync.token.get";

  /**
   * Publish, by the notice relay (notices.NoticeRelay) for an integration.status notice appended by whichever process
   * changed the status (token refresh, connect/reconnect, pause/resume, disconnect, CLI included). Body {@code {"integrationId": long,
   * "userId": long, "status": "active"|"needs_reconnect"|"paused"|"disconnected", "reason": string, "at": iso8601,
   * "reconnectUrl": string?, "reconnectExpiresAt": iso8601?}}. Sent once per transition. With consent.enabled a
   * needs_reconnect carries a fresh single-use reconnect link (consent flow) for the EMR to send the practitioner.
   * PushVerticle listens: needs_reconnect / paused / disconnected stop the integration's push channels.
   */
  public static final String INTEGRATION_STATUS = "calsync.integration.status";

  /**
   * Request/reply, served by ConnectionVerticle: new credentials for an integration (needs_reconnect or active). Body
   * {@code {"integrationId": long, "refreshToken": string}}, or {@code {"integrationId": long, "delegated": true}} for
   * Google Workspace domain-wide delegation (no token: the service account key of google.serviceAccountKeyFile
   * impersonates the integration's account e-mail; BAD_REQUEST when no key is configured).
   * Reply {@code {"integrationId": long, "status": "active"}}.
   * The integration keeps its calendars, sync tokens and mirror, and a manual sync is queued, so syncing resumes where
   * it stopped. Publishes {@link #INTEGRATION_STATUS} and audits. Failures: BAD_REQUEST (missing field, blank or
   * implausible token; nothing changes), NOT_FOUND (no such integration, or it was disconnected: connect a new one),
   * UNAVAILABLE (database).
   */
  public static final String INTEGRATION_RECONNECT = "calsync.integration.reconnect";

  /**
   * Request/reply, served by ConnectionVerticle: disconnect and erase (GDPR). Body {@code {"integrationId": long}}.
   * Stops live push channels at Google (channels.stop) and revokes the grant, then erases our copy even when either
   * failed: credentials, account email, calendars, mirrored events, jobs, channel rows; status becomes "disconnected".
   * Reply {@code {"integrationId": long, "status": "disconnected", "revoke": "revoked"|"failed: <code>"|"skipped: <why>",
   * "calendarsErased": long, "eventsErased": long, "jobsErased": long, "channelsStopped": long,
   * "channelsNotStopped": long}}. Idempotent. Publishes {@link #INTEGRATION_STATUS} (once) and audits. Failures:
   * BAD_REQUEST, NOT_FOUND, UNAVAILABLE (database; our copy was not erased, retry).
   */
  public static final String INTEGRATION_DISCONNECT = "calsync.integration.disconnect";

  /**
   * Request/reply, served by ConsentVerticle (consent.enabled): a single-use connect link for one EMR user, to open in
   * the practitioner's browser (Google's consent flow). Body {@code {"userId": long, "loginHint": string?,
   * "returnUrl": string?, "integrationId": long?}}; integrationId makes it a reconnect link (the same Google account must
   * consent), returnUrl (allowed by consent.returnUrlAllowList) receives {@code ?calsync_status=...} at the end.
   * Reply {@code {"linkId": long, "url": string, "expiresAt": iso8601, "userId": long, "integrationId": long?}}.
   * Failures: BAD_REQUEST (field, or a returnUrl that is not allowed), NOT_FOUND (integrationId unknown, disconnected or
   * another user's), UNAVAILABLE (database).
   */
  public static final String CONNECT_LINK_CREATE = "calsync.connect.link.create";

  /**
   * Request/reply, served by sync.CalendarChoicesVerticle: an integration's calendars as last discovered with
   * calendarList (on the first sync and every sync since). Body {@code {"integrationId": long}}. Reply
   * {@code {"integrationId": long, "calendars": [{"calendarId": string, "summary": string|null, "timeZone": string,
   * "accessRole": "owner"|"writer"|"reader"|"freeBusyReader", "selected": boolean, "primary": boolean, "busy": boolean,
   * "busyChoice": boolean|null, "writeTarget": boolean, "syncable": boolean, "lastSyncAt": rfc3339|null}]}}: busy says
   * whether the calendar is synced and counts for conflicts (busyChoice: the explicit choice, null: the default, which
   * is primary, or owner/writer access and selected in Google); syncable=false for freeBusyReader calendars, which
   * events.list cannot read (never busy); writeTarget marks the one calendar written appointments go to (default:
   * primary; it always counts as busy). Failures: BAD_REQUEST, NOT_FOUND (no such integration), UNAVAILABLE.
   */
  public static final String CALENDARS_LIST = "calsync.calendars.list";

  /**
   * Request/reply, served by sync.CalendarChoicesVerticle: the practitioner's choice for one calendar, kept across
   * rediscovery. Body {@code {"integrationId": long, "calendarId": string, "busy": boolean|null?, "writeTarget": true?}}
   * (at least one; busy null returns to the default). A calendar that stops counting as busy leaves the mirror at
   * once (its events and busy time); one that starts counting is synced by a manual-priority job queued here. Reply:
   * the calendar as in {@link #CALENDARS_LIST} plus {@code "syncQueued": boolean}. Audited ("calendars.chosen"). Failures: BAD_REQUEST (malformed; busy
   * on a freeBusyReader calendar; busy=false on the write target; writeTarget on a calendar without owner/writer
   * access), NOT_FOUND (no such integration, or the calendar is not in its calendar list), UNAVAILABLE (database).
   */
  public static final String CALENDARS_UPDATE = "calsync.calendars.update";

  /**
   * Send (no reply), served by AuditVerticle. Body {@code {"actor": string, "action": string,
   * "integrationId": long?, "detail": object?}} (built by audit.AuditEvent). Records are batched, hash-chained and
   * never hold secrets.
   */
  public static final String AUDIT_RECORD = "calsync.audit.record";

  /**
   * Publish. Body {@code {}}. Wakes the sync workers: jobs are due now (new enqueue, manual sync, push; the push
   * webhook publishes at once, or when a job it debounced becomes due).
   */
  public static final String JOBS_AVAILABLE = "calsync.jobs.available";

  /**
   * Publish, by the sync workers after each job they settle (not after a run whose job another worker took over:
   * that run's outcome is discarded). Body {@code {"integrationId": long, "outcome":
   * "synced"|"retry"|"failed"|"needs_reconnect"|"deferred"|"refused", "changed": int, "durationMs": long, "jobId": long,
   * "startedAt": epochMillis, "worker": string, "calendars": int?, "upserted": int?, "deleted": int?, "pages": int?,
   * "fullSync": boolean?, "googleCalls": int?, "skipped": int?, "error": string?}}: changed = upserted + deleted (0
   * unless synced); the sync's figures (calendars to skipped: events that could not be mapped, listed by status) come
   * with "synced", error with every other outcome.
   */
  public static final String SYNC_COMPLETED = "calsync.sync.completed";

  /**
   * Publish, by SchedulerVerticle when a cycle is dispatched. Body {@code {"cycle": long, "enqueued": int,
   * "windowSeconds": long, "at": iso8601}}.
   */
  public static final String CYCLE_STARTED = "calsync.scheduler.cycle";

  // ---- booking (served by booking.BookingVerticle). Times are RFC 3339 strings with an offset; replies use UTC.
  // A user is named by "integrationId" (long) or "userId" (long: every connected integration of that user), never both.

  /**
   * Request/reply: is a practitioner busy in Google during a range? Answered from the busy mirror (transparent,
   * cancelled and declined events do not block): from busy_blocks (recurring events expanded from 7 days back to
   * booking.horizonDays ahead) when they cover the range, else expanded from the mirrored events and their recurring
   * masters on demand. A recurring event too dense to expand (quarantined, see the status command) counts as busy
   * over its whole span.
   * Body {@code {"integrationId": long | "userId": long, "start": rfc3339, "end": rfc3339, "appointmentId": string?,
   * "fresh": boolean?}}: appointmentId leaves out that appointment's own event (rescheduling); fresh=true first runs
   * an incremental sync, on whichever process claims it (waits at most booking.freshTimeoutMs). Reply {@code {"conflicts": [{"start", "end",
   * "eventId", "appointmentId"?}], "checkedAt": rfc3339, "stale": boolean, "calendars": [{"integrationId": long,
   * "calendarId": long, "syncedAt": rfc3339|null, "stale": boolean, "expandedOnDemand": boolean}]}}: each conflict is
   * the busy part within the range (appointmentId set when it is another appointment's event); stale=true when a
   * calendar was never synced, its last sync is older than booking.staleMinutes, or a requested fresh sync did not
   * finish in time; calendars says per calendar when its data was last synced from Google (syncedAt, null: never),
   * whether that is stale, and whether the range was expanded on demand.
   * Failures: BAD_REQUEST (malformed, end not after start, range over booking.maxRangeDays), NOT_FOUND (no such
   * integration or no connected integration for the user), OUT_OF_RANGE (the range ends more than
   * booking.maxAheadDays ahead: calsync does not answer that far), UNAVAILABLE (database).
   */
  public static final String BOOKING_CONFLICTS = "calsync.booking.conflicts";

  /**
   * Request/reply: free/busy over a range. Body {@code {"integrationId": long | "userId": long, "start": rfc3339,
   * "end": rfc3339, "fresh": boolean?}}. Reply {@code {"busy": [{"start","end"}], "free": [{"start","end"}],
   * "checkedAt": rfc3339, "stale": boolean, "calendars": [...]}}: busy merged and clipped to the range, free its
   * complement; fresh, stale and calendars as {@link #BOOKING_CONFLICTS}. Failures as {@link #BOOKING_CONFLICTS}.
   */
  public static final String BOOKING_AVAILABILITY = "calsync.booking.availability";

  /**
   * Request/reply or send: the EMR booked an appointment. Body {@code {"appointmentId": string (1..256 chars),
   * "integrationId": long | "userId": long, "start": rfc3339, "end": rfc3339}}. Stored first (durable intent), then
   * written to the practitioner's write-target Google calendar (default primary; {@link #CALENDARS_UPDATE}) as a
   * private event with booking.neutralTitle and no patient data, under an event id derived from the appointment id; repeating the message changes nothing. Reply
   * {@code {"appointmentId", "eventId", "version": long, "written": boolean, "error": string?}}; written=false means
   * the write is pending and retried every booking.sweepSeconds. Failures: BAD_REQUEST (malformed; the appointment
   * belongs to another integration), NOT_FOUND (integration), NEEDS_RECONNECT (the integration was connected read-only:
   * write-back is off; nothing is stored), UNAVAILABLE (database). Use request/reply: the intent is
   * durable only once the reply arrives, and a plain send that meets UNAVAILABLE is only logged, so the sender must
   * retry on UNAVAILABLE (repeating a message is harmless).
   */
  public static final String APPOINTMENT_BOOKED = "calsync.appointment.booked";

  /** Request/reply or send: the appointment moved. Body, reply and failures as {@link #APPOINTMENT_BOOKED}. */
  public static final String APPOINTMENT_RESCHEDULED = "calsync.appointment.rescheduled";

  /**
   * Request/reply or send: the appointment was cancelled; its Google event is deleted. Body {@code {"appointmentId":
   * string}} (other fields ignored). Reply as {@link #APPOINTMENT_BOOKED}. Failures: BAD_REQUEST, NOT_FOUND (unknown
   * appointment), UNAVAILABLE.
   */
  public static final String APPOINTMENT_CANCELLED = "calsync.appointment.cancelled";

  /**
   * Publish, by the notice relay (booking.conflict notice) after a sync: a new overlap between Google busy time (not our own events) and a booked appointment.
   * Published once per (appointment and its start, busy event and its start). Body {@code {"integrationId": long,
   * "appointmentId": string, "appointmentStart", "appointmentEnd", "eventId": string, "busyStart", "busyEnd",
   * "detectedAt"}} (times RFC 3339).
   */
  public static final String BOOKING_CONFLICT = "calsync.booking.conflict";

  /**
   * Publish, by the notice relay (appointment.overridden notice): someone moved or deleted our appointment event in Google, or a cancelled appointment's event is live there
   * again; the EMR wins and Google was made to match. For staff review. Body {@code {"integrationId": long,
   * "appointmentId": string, "eventId": string, "change": "moved"|"deleted"|"revived", "googleStart": rfc3339?,
   * "googleEnd": rfc3339?, "restoredStart", "restoredEnd", "at"}}; "revived" (the event was deleted again) has no
   * restored times.
   */
  public static final String APPOINTMENT_OVERRIDDEN = "calsync.appointment.overridden";

  /**
   * Publish, by the notice relay (appointment.write_failed notice): the write of an appointment to Google failed for
   * good (Google refused it: 400, 403 other than rate limits, 404; or the write's retries ran out). Its write state is
   * "failed" with the reason until the EMR sends it again (PUT or a booked/rescheduled message retries it). Body
   * {@code {"integrationId": long, "appointmentId": string, "version": long, "status": "booked"|"cancelled",
   * "attempts": int, "reason": string, "at": iso8601}}.
   */
  public static final String APPOINTMENT_WRITE_FAILED = "calsync.appointment.write_failed";

  /**
   * Publish, by the notice relay (sync.failing notice): an integration's sync ran out of retries and moved to
   * failed_jobs, once per failing period (until a sync succeeds). Body {@code {"integrationId": long, "errorClass":
   * string, "error": string, "attempts": int, "at": iso8601}}.
   */
  public static final String SYNC_FAILING = "calsync.sync.failing";

  /**
   * Request/reply, served by every process's notice relay: the durable notices after a cursor, oldest first (the pull
   * API GET /v1/notices). Body {@code {"after": long?, "limit": int?, "waitSeconds": int?}} (defaults 0, 100, 0; limit
   * 1..500, waitSeconds 0..60). When nothing is newer than after, the reply waits up to waitSeconds for a new notice
   * (woken by LISTEN/NOTIFY). Reply {@code {"notices": [{"id": long, "type": string, "createdAt": rfc3339,
   * "integrationId": long|null, "userId": long|null, "appointmentId": string|null, "data": object}], "next": long}}:
   * data is the notice's bus body; next is the cursor for the following request (after when nothing came). Failures:
   * BAD_REQUEST (a field out of range), UNAVAILABLE (database).
   */
  public static final String NOTICES_READ = "calsync.notices.read";
}
