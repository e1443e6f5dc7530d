package org.calsync.google;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.function.Function;
import org.calsync.metrics.Recoveries;

/**
 * Google Calendar calls for one integration and one piece of work (a sync, a write, a channel operation), obtained
 * from {@link Google#call}. Every attempt takes a permit of the process's {@link GoogleThrottle}, is counted in
 * calsync_google_calls_total, and is retried per {@link RetryPolicy}; the first 401 of the whole piece of work forces
 * one token refresh and the call is tried again, a second 401 fails. Use from one Vert.x context.
 */
public final class GoogleCall {
  private final Vertx vertx;
  private final CalendarClient client;
  private final GoogleThrottle throttle;
  private final RetryPolicy policy;
  private final GoogleMetrics metrics;
  private final TokenSource tokens;
  private final Map<String, Integer> byStatus;
  private String accessToken;
  private boolean refreshedAfter401;
  private int calls;

  GoogleCall(Vertx vertx, CalendarClient client, GoogleThrottle throttle, RetryPolicy policy, GoogleMetrics metrics,
             TokenSource tokens, Map<String, Integer> byStatus) {
    this.vertx = vertx;
    this.client = client;
    this.throttle = throttle;
    this.policy = policy;
    this.metrics = metrics;
    this.tokens = tokens;
    this.byStatus = byStatus;
  }

  /**
   * calendarList.list (one page); syncToken null: a full listing, else only the entries changed since (410 when
   * refused). fields: the partial response to ask for (Google's fields syntax), null for whole entries.
   */
  public Future<JsonObject> calendarList(String syncToken, String pageToken, String fields) {
    return run("calendarList.list", t -> client.calendarList(t, syncToken, pageToken, fields));
  }

  /**
   * events.list (one page), see CalendarClient. check runs on each answer inside the retry: a page it fails as
   * {@link GoogleApiException.Kind#MALFORMED} is fetched again like a 5xx. fields: the partial response to ask for
   * (Google's fields syntax), null for whole events.
   */
  public <T> Future<T> listEvents(String calendarId, String syncToken, String pageToken, int maxResults, String fields,
                                  Function<JsonObject, Future<T>> check) {
    return run("events.list", t -> client.listEvents(t, calendarId, syncToken, pageToken, maxResults, fields).compose(check));
  }

  public Future<JsonObject> getEvent(String calendarId, String eventId) {
    return run("events.get", t -> client.getEvent(t, calendarId, eventId));
  }

  public Future<JsonObject> insertEvent(String calendarId, JsonObject event) {
    return run("events.insert", t -> client.insertEvent(t, calendarId, event));
  }

  /** ifMatch: the etag the event must still have (If-Match; 412 otherwise), or null for an unconditional patch. */
  public Future<JsonObject> patchEvent(String calendarId, String eventId, JsonObject patch, String ifMatch) {
    return run("events.patch", t -> client.patchEvent(t, calendarId, eventId, patch, ifMatch));
  }

  /** A 410 "deleted" (already gone) counts as success. ifMatch as for {@link #patchEvent}. */
  public Future<Void> deleteEvent(String calendarId, String eventId, String ifMatch) {
    return run("events.delete", t -> client.deleteEvent(t, calendarId, eventId, ifMatch));
  }

  /** events.watch: opens a push channel. */
  public Future<JsonObject> watch(String calendarId, JsonObject channel) {
    return run("events.watch", t -> client.watch(t, calendarId, channel));
  }

  public Future<Void> stopChannel(String channelId, String resourceId) {
    return run("channels.stop", t -> client.stopChannel(t, channelId, resourceId));
  }

  /** HTTP attempts made so far (retries included). */
  public int calls() {
    return calls;
  }

  private <T> Future<T> run(String op, Function<String, Future<T>> call) {
    return attempt(op, call, 1);
  }

  private <T> Future<T> attempt(String op, Function<String, Future<T>> call, int n) {
    Future<String> token = accessToken != null ? Future.succeededFuture(accessToken) : tokens.get(null).map(t -> accessToken = t);
    return token.compose(t -> send(op, call, t).recover(err -> afterFailure(op, call, n, t, err)));
  }

  private <T> Future<T> send(String op, Function<String, Future<T>> call, String token) {
    return throttle.acquire().compose(v -> {
      calls++;
      return call.apply(token).andThen(ar -> {
        GoogleApiException e = ar.failed() && ar.cause() instanceof GoogleApiException g ? g : null;
        throttle.release(e != null && e.kind() == GoogleApiException.Kind.RATE_LIMIT);
        int status = e == null ? (ar.succeeded() ? 200 : 0) : e.status();
        metrics.call(op, status, e == null ? "" : e.reason());
        if (byStatus != null) {
          byStatus.merge(e == null || e.reason().isEmpty() ? String.valueOf(status) : status + " " + e.reason(), 1, Integer::sum);
        }
      });
    });
  }

  /** token: the access token the failed attempt used (a 401 names it, so a refresh another caller made is reused). */
  private <T> Future<T> afterFailure(String op, Function<String, Future<T>> call, int n, String token, Throwable err) {
    if (!(err instanceof GoogleApiException e)) return Future.failedFuture(err);
    if (e.kind() == GoogleApiException.Kind.AUTH && !refreshedAfter401) {
      refreshedAfter401 = true;
      return tokens.get(token).compose(t -> {
        accessToken = t;
        return attempt(op, call, n);
      });
    }
    long delay = policy.delayAfter(e, n);
    if (delay < 0) return Future.failedFuture(e);
    Recoveries.count(Recoveries.Kind.GOOGLE);
    return vertx.timer(delay).compose(x -> attempt(op, call, n + 1));
  }
}
