package org.calsync.emulator;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Fault injection settings. Probabilities are in [0,1] and are drawn, in this order, per request:
 * connectionReset, serverError (500 backendError or 503), rateLimit (one of five equally likely variants: 403 or 429
 * rateLimitExceeded, 403 userRateLimitExceeded with Retry-After 1, 429 with Retry-After 2, or the quota system's 403
 * rateLimitExceeded with a long message and "status":"PERMISSION_DENIED"), quotaExceeded (403), slow (response delayed by slowMs),
 * malformedJson (200 with a truncated body). Every request is also delayed by latencyMs + uniform[0, jitterMs].
 * perUserLimit enforces 600 requests per user per sliding minute (403 userRateLimitExceeded).
 *
 * <p>emptyPages (drawn from its own random sequence, so other faults keep their sequence): probability that an
 * events.list page is cut short (0..maxResults-1 items, often none at all) yet carries a nextPageToken, as Google may
 * do (SPEC 2.1); following the tokens still yields the complete listing, and a page after an empty one is never empty.
 *
 * @param paths which paths are faulted: empty = every Calendar API path; otherwise path prefixes relative to
 *              /calendar/v3/ (e.g. "calendars", "freeBusy") or the word "token" for the OAuth token endpoint.
 *              /admin is never faulted.
 */
public record FaultProfile(long latencyMs, long jitterMs, double serverError, double rateLimit, double quotaExceeded,
                           double connectionReset, double slow, long slowMs, double malformedJson,
                           boolean perUserLimit, Set<String> paths, double emptyPages) {

  public FaultProfile {
    paths = paths == null ? Set.of() : Set.copyOf(paths);
  }

  /** Without emptyPages (kept for source compatibility). */
  public FaultProfile(long latencyMs, long jitterMs, double serverError, double rateLimit, double quotaExceeded,
                      double connectionReset, double slow, long slowMs, double malformedJson, boolean perUserLimit,
                      Set<String> paths) {
    this(latencyMs, jitterMs, serverError, rateLimit, quotaExceeded, connectionReset, slow, slowMs, malformedJson,
      perUserLimit, paths, 0);
  }

  public static FaultProfile none() {
    return new FaultProfile(0, 0, 0, 0, 0, 0, 0, 0, 0, false, Set.of(), 0);
  }

  public boolean isNone() {
    return latencyMs == 0 && jitterMs == 0 && serverError == 0 && rateLimit == 0 && quotaExceeded == 0
      && connectionReset == 0 && slow == 0 && malformedJson == 0 && !perUserLimit && emptyPages == 0;
  }

  public FaultProfile withServerError(double p) { return new FaultProfile(latencyMs, jitterMs, p, rateLimit, quotaExceeded, connectionReset, slow, slowMs, malformedJson, perUserLimit, paths, emptyPages); }
  public FaultProfile withRateLimit(double p) { return new FaultProfile(latencyMs, jitterMs, serverError, p, quotaExceeded, connectionReset, slow, slowMs, malformedJson, perUserLimit, paths, emptyPages); }
  public FaultProfile withQuotaExceeded(double p) { return new FaultProfile(latencyMs, jitterMs, serverError, rateLimit, p, connectionReset, slow, slowMs, malformedJson, perUserLimit, paths, emptyPages); }
  public FaultProfile withConnectionReset(double p) { return new FaultProfile(latencyMs, jitterMs, serverError, rateLimit, quotaExceeded, p, slow, slowMs, malformedJson, perUserLimit, paths, emptyPages); }
  public FaultProfile withMalformedJson(double p) { return new FaultProfile(latencyMs, jitterMs, serverError, rateLimit, quotaExceeded, connectionReset, slow, slowMs, p, perUserLimit, paths, emptyPages); }
  public FaultProfile withLatency(long ms, long jitter) { return new FaultProfile(ms, jitter, serverError, rateLimit, quotaExceeded, connectionReset, slow, slowMs, malformedJson, perUserLimit, paths, emptyPages); }
  public FaultProfile withSlow(double p, long ms) { return new FaultProfile(latencyMs, jitterMs, serverError, rateLimit, quotaExceeded, connectionReset, p, ms, malformedJson, perUserLimit, paths, emptyPages); }
  public FaultProfile withPerUserLimit(boolean on) { return new FaultProfile(latencyMs, jitterMs, serverError, rateLimit, quotaExceeded, connectionReset, slow, slowMs, malformedJson, on, paths, emptyPages); }
  public FaultProfile withPaths(Set<String> p) { return new FaultProfile(latencyMs, jitterMs, serverError, rateLimit, quotaExceeded, connectionReset, slow, slowMs, malformedJson, perUserLimit, p, emptyPages); }

  public FaultProfile withEmptyPages(double p) { return new FaultProfile(latencyMs, jitterMs, serverError, rateLimit, quotaExceeded, connectionReset, slow, slowMs, malformedJson, perUserLimit, paths, p); }

  public JsonObject toJson() {
    return new JsonObject().put("latencyMs", latencyMs).put("jitterMs", jitterMs).put("serverError", serverError)
      .put("rateLimit", rateLimit).put("quotaExceeded", quotaExceeded).put("connectionReset", connectionReset)
      .put("slow", slow).put("slowMs", slowMs).put("malformedJson", malformedJson).put("perUserLimit", perUserLimit)
      .put("emptyPages", emptyPages)
      .put("paths", new JsonArray(paths.stream().sorted().map(Object.class::cast).toList()));
  }

  /** Missing keys take the value of {@link #none()}. */
  public static FaultProfile fromJson(JsonObject j) {
    Set<String> paths = new LinkedHashSet<>();
    JsonArray a = j.getJsonArray("paths");
    if (a != null) a.forEach(p -> paths.add(String.valueOf(p)));
    return new FaultProfile(j.getLong("latencyMs", 0L), j.getLong("jitterMs", 0L), j.getDouble("serverError", 0d),
      j.getDouble("rateLimit", 0d), j.getDouble("quotaExceeded", 0d), j.getDouble("connectionReset", 0d),
      j.getDouble("slow", 0d), j.getLong("slowMs", 0L), j.getDouble("malformedJson", 0d),
      j.getBoolean("perUserLimit", false), paths, j.getDouble("emptyPages", 0d));
  }
}
