package org.calsync.sync;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.function.Function;
import org.calsync.google.AccessTokens;
import org.calsync.google.GoogleApiException;

/**
 * Runs Google calls for one integration: throttled, retried per {@link RetryPolicy}, with one forced token refresh on
 * 401. Holds the integration's current access token.
 */
final class GoogleCall {
  private final Vertx vertx;
  private final GoogleThrottle throttle;
  private final RetryPolicy policy;
  private final AccessTokens tokens;
  private final long integrationId;
  private final SyncMetrics metrics;
  private String accessToken;
  private boolean refreshedAfter401;
  int calls;
  /** Outcome of every call made: "200", "401 authError", "429 rateLimitExceeded", "0" (network) -> count. */
  final Map<String, Integer> byStatus;

  GoogleCall(Vertx vertx, GoogleThrottle throttle, RetryPolicy policy, AccessTokens tokens, long integrationId, SyncMetrics metrics,
             Map<String, Integer> byStatus) {
    this.byStatus = byStatus;
    this.vertx = vertx;
    this.throttle = throttle;
    this.policy = policy;
    this.tokens = tokens;
    this.integrationId = integrationId;
    this.metrics = metrics;
  }

  Future<Void> init() {
    return tokens.get(integrationId, false).map(t -> {
      accessToken = t;
      return null;
    });
  }

  <T> Future<T> run(String op, Function<String, Future<T>> call) {
    return attempt(op, call, 1);
  }

  private <T> Future<T> attempt(String op, Function<String, Future<T>> call, int n) {
    return throttle.acquire().compose(v -> {
      calls++;
      return call.apply(accessToken).andThen(ar -> {
        GoogleApiException e = ar.failed() && ar.cause() instanceof GoogleApiException g ? g : null;
        throttle.release(e != null && e.kind() == GoogleApiException.Kind.RATE_LIMIT);
        int status = e == null ? (ar.succeeded() ? 200 : 0) : e.status();
        metrics.googleCall(op, status, e == null ? "" : e.reason());
        byStatus.merge(e == null || e.reason().isEmpty() ? String.valueOf(status) : status + " " + e.reason(), 1, Integer::sum);
      });
    }).recover(err -> {
      if (!(err instanceof GoogleApiException e)) return Future.failedFuture(err);
      if (e.kind() == GoogleApiException.Kind.AUTH && !refreshedAfter401) {
        refreshedAfter401 = true;
        return tokens.get(integrationId, true).compose(t -> {
          accessToken = t;
          return attempt(op, call, n);
        });
      }
      long delay = policy.delayAfter(e, n);
      if (delay < 0) return Future.failedFuture(e);
      return vertx.timer(delay).compose(x -> attempt(op, call, n + 1));
    });
  }
}
