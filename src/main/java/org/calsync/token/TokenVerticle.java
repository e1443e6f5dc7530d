package org.calsync.token;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.HashMap;
import java.util.Map;
import org.calsync.bus.Addresses;
import org.calsync.bus.BusFailure;
import org.calsync.bus.FailureCode;
import org.calsync.bus.Messages;
import org.calsync.bus.Requests.TokenGet;
import org.calsync.config.CalsyncConfig;
import org.calsync.google.Google;

/**
 * Serves {@link Addresses#TOKEN_GET}: hands out access tokens, refreshing them silently
 * {@code token.refreshBufferSeconds} before expiry. One refresh at a time per integration: in this process through a
 * map of in-flight refreshes, across processes through the integration's refresh lease ({@link TokenRefresh}); no
 * pooled connection or row lock is held while the token endpoint is called. The lease lasts google.requestTimeoutMs
 * plus {@link #LEASE_MARGIN_SECONDS}. A cached token is handed out only after the database says the integration is
 * still active (another process, or the CLI, may have moved it to needs_reconnect or disconnected it), or when the
 * sender has just read that itself (a sync's job claim: {@code TokenGet#active}).
 */
public final class TokenVerticle extends VerticleBase {
  static final long LEASE_MARGIN_SECONDS = 15;

  private final CalsyncConfig config;
  private final Pool pool;
  private final CredentialCipher cipher;
  private final MeterRegistry registry;
  private final Map<Long, AccessToken> cache = new HashMap<>();
  private final Map<Long, Future<AccessToken>> inFlight = new HashMap<>();
  private final Google google;
  private RefreshLeases leases;
  private TokenRefresh refresh;

  /** registry receives calsync_token_refreshes_total{outcome=ok|revoked|error}. */
  public TokenVerticle(CalsyncConfig config, Pool pool, CredentialCipher cipher, MeterRegistry registry, Google google) {
    this.registry = registry;
    this.google = google;
    this.config = config;
    this.pool = pool;
    this.cipher = cipher;
  }

  @Override
  public Future<?> start() {
    long leaseSeconds = (config.google().requestTimeoutMs() + 999) / 1000 + LEASE_MARGIN_SECONDS;
    leases = new RefreshLeases(pool, config.consent());
    refresh = new TokenRefresh(vertx, leases, cipher, google.oauth(), new DelegatedGrant(google), registry,
        config.token().refreshBufferSeconds() * 1000L, leaseSeconds);
    // Any status change (needs_reconnect, reconnected, disconnected) makes a cached token stale.
    Future<Void> status = vertx.eventBus().<Object>consumer(Addresses.INTEGRATION_STATUS, m -> {
      if (m.body() instanceof JsonObject b && b.getValue("integrationId") instanceof Number n) cache.remove(n.longValue());
    }).completion();
    return Future.join(status, vertx.eventBus().consumer(Addresses.TOKEN_GET,
        msg -> Messages.serve(msg, TokenGet::parse, this::get)).completion());
  }

  private Future<JsonObject> get(TokenGet request) {
    long id = request.integrationId();
    AccessToken cached = cache.get(id);
    if (!request.force() && cached != null && refresh.fresh(cached)) {
      return request.active() ? Future.succeededFuture(reply(cached)) : ifActive(id, cached);
    }
    Future<AccessToken> running = inFlight.get(id);
    if (running == null) {
      // the refused token (TokenRefresh hands out a stored token other than it, refreshing only while it is current)
      String rejected = request.refused() != null ? request.refused() : request.force() && cached != null ? cached.value() : null;
      running = refresh.run(id, rejected, request.verify()).compose(this::apply)
          .onSuccess(t -> cache.put(id, t));
      inFlight.put(id, running);
      running.onComplete(ar -> inFlight.remove(id));
    }
    // Anything but a BusFailure is a dependency failing (PostgreSQL mostly): the caller may try again later.
    return running.map(TokenVerticle::reply).recover(err -> Future.failedFuture(err instanceof BusFailure ? err
        : BusFailure.unavailable(err.getMessage())));
  }

  /** The cached token while the integration is active; otherwise drops it and fails as a refresh would. */
  private Future<JsonObject> ifActive(long id, AccessToken cached) {
    return leases.status(id)
        .recover(err -> Future.failedFuture(BusFailure.unavailable("integration " + id + ": " + err.getMessage())))
        .compose(status -> {
          if ("active".equals(status)) return Future.succeededFuture(reply(cached));
          if (cache.get(id) == cached) cache.remove(id);
          return Future.failedFuture(status == null ? BusFailure.notFound("integration " + id + " does not exist")
              : new BusFailure(FailureCode.NEEDS_RECONNECT, "integration " + id + " is " + status));
        });
  }

  private Future<AccessToken> apply(TokenRefresh.Outcome o) {
    // The status change committed with its notice (RefreshLeases); the relay publishes it.
    if (o.reconnectUserId() != null) cache.remove(o.id());
    if (o.token() != null) return Future.succeededFuture(o.token());
    return Future.failedFuture(new BusFailure(o.failureCode(), o.failure()));
  }

  private static JsonObject reply(AccessToken t) {
    return new JsonObject().put("accessToken", t.value()).put("expiresAt", t.expiresAtMillis());
  }
}
