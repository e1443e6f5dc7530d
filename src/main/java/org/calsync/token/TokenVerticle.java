package org.calsync.token;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import org.calsync.bus.Addresses;
import org.calsync.bus.FailureCode;
import org.calsync.bus.Messages;
import org.calsync.config.CalsyncConfig;
import org.calsync.db.Integrations;
import org.calsync.db.Integrations.Credentials;
import org.calsync.google.OAuthClient;
import org.calsync.google.OAuthException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@link Addresses#TOKEN_GET}: hands out access tokens, refreshing them silently
 * {@code token.refreshBufferSeconds} before expiry. One refresh at a time per integration: in this process through a
 * map of in-flight refreshes, across processes through the integration row lock held while the token endpoint is called.
 */
public final class TokenVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(TokenVerticle.class);

  private record Cached(String accessToken, long expiresAtMillis) {
  }

  /** What a locked read-and-maybe-refresh decided; failures are applied after the transaction commits. */
  private record Outcome(long id, Cached token, int failureCode, String failure, boolean revoked, Long userId, String reason) {
  }

  private final CalsyncConfig config;
  private final Pool pool;
  private final CredentialCipher cipher;
  private final MeterRegistry registry;
  private final Map<Long, Cached> cache = new HashMap<>();
  private final Map<Long, Future<Cached>> inFlight = new HashMap<>();
  private OAuthClient oauth;
  private long bufferMillis;

  /** registry receives calsync_token_refreshes_total{outcome=ok|revoked|error}. */
  public TokenVerticle(CalsyncConfig config, Pool pool, CredentialCipher cipher, MeterRegistry registry) {
    this.registry = registry;
    this.config = config;
    this.pool = pool;
    this.cipher = cipher;
  }

  @Override
  public Future<?> start() {
    oauth = new OAuthClient(vertx, config.google());
    bufferMillis = config.token().refreshBufferSeconds() * 1000L;
    // Any status change (needs_reconnect, reconnected, disconnected) makes a cached token stale.
    Future<Void> status = vertx.eventBus().<Object>consumer(Addresses.INTEGRATION_STATUS, m -> {
      if (m.body() instanceof JsonObject b && b.getValue("integrationId") instanceof Number n) cache.remove(n.longValue());
    }).completion();
    return Future.join(status, vertx.eventBus().consumer(Addresses.TOKEN_GET, this::onGet).completion());
  }

  @Override
  public Future<?> stop() {
    oauth.close();
    return Future.succeededFuture();
  }

  private void onGet(Message<Object> msg) {
    JsonObject body = Messages.body(msg);
    if (body == null) return;
    Long id = Messages.requireLong(msg, body, "integrationId");
    if (id == null) return;
    boolean verify = Boolean.TRUE.equals(body.getValue("verify"));
    boolean force = verify || Boolean.TRUE.equals(body.getValue("force"));
    Cached cached = cache.get(id);
    if (!force && cached != null && fresh(cached)) {
      msg.reply(reply(cached));
      return;
    }
    Future<Cached> running = inFlight.get(id);
    if (running == null) {
      running = loadOrRefresh(id, force ? cached : null, verify);
      inFlight.put(id, running);
      running.onComplete(ar -> inFlight.remove(id));
    }
    running.onSuccess(t -> msg.reply(reply(t))).onFailure(err -> {
      if (err instanceof ReplyException re) msg.fail(re.failureCode(), re.getMessage());
      else msg.fail(FailureCode.INTERNAL, err.getMessage());
    });
  }

  private boolean fresh(Cached c) {
    return c.expiresAtMillis - System.currentTimeMillis() > bufferMillis;
  }

  /**
   * rejected: the token a caller saw refused (force); anything else in the row is newer and is used as is.
   * verify: always exchange the refresh token (token health check).
   */
  private Future<Cached> loadOrRefresh(long id, Cached rejected, boolean verify) {
    return pool.withTransaction(conn -> Integrations.lockCredentials(conn, id).compose(row -> {
      if (row == null) return Future.succeededFuture(fail(id, FailureCode.NOT_FOUND, "integration " + id + " does not exist"));
      if (!"active".equals(row.status())) {
        return Future.succeededFuture(fail(id, FailureCode.NEEDS_RECONNECT, "integration " + id + " is " + row.status()));
      }
      JsonObject creds;
      try {
        creds = cipher.open(id, row.keyId(), row.sealed());
      } catch (IllegalStateException e) {
        return Future.succeededFuture(fail(id, FailureCode.INTERNAL, e.getMessage()));
      }
      String access = creds.getString("access_token");
      if (!verify && access != null && row.accessExpiresAt() != null) {
        Cached stored = new Cached(access, row.accessExpiresAt().toInstant().toEpochMilli());
        boolean refusedByGoogle = rejected != null && rejected.accessToken.equals(access);
        if (fresh(stored) && !refusedByGoogle) {
          return Future.succeededFuture(new Outcome(id, stored, 0, null, false, null, null));
        }
      }
      return refresh(conn, row, creds);
    })).compose(this::apply).onSuccess(t -> cache.put(id, t));
  }

  private Future<Outcome> refresh(io.vertx.sqlclient.SqlConnection conn, Credentials row, JsonObject creds) {
    long id = row.id();
    String refreshToken = creds.getString("refresh_token");
    if (refreshToken == null || refreshToken.isEmpty()) {
      return revoke(conn, row, "no refresh token stored");
    }
    log.atInfo().setMessage("attempting silent token refresh").addKeyValue("integration", id).log();
    return oauth.refresh(refreshToken).transform(ar -> {
      if (ar.succeeded()) {
        OAuthClient.Tokens t = ar.result();
        long expiresAt = System.currentTimeMillis() + t.expiresInSeconds() * 1000L;
        JsonObject updated = creds.copy().put("access_token", t.accessToken());
        boolean rotated = t.refreshToken() != null && !t.refreshToken().isEmpty();
        if (rotated) updated.put("refresh_token", t.refreshToken());
        byte[] sealed = cipher.seal(id, updated);
        OffsetDateTime at = OffsetDateTime.ofInstant(Instant.ofEpochMilli(expiresAt), ZoneOffset.UTC);
        return Integrations.storeCredentials(conn, id, sealed, cipher.activeKeyId(), at).map(v -> {
          refreshed("ok");
          log.atInfo().setMessage("token refreshed successfully").addKeyValue("integration", id)
              .addKeyValue("expiresInSeconds", t.expiresInSeconds()).addKeyValue("refreshTokenRotated", rotated).log();
          audit("token.refreshed", id, new JsonObject().put("expiresInSeconds", t.expiresInSeconds()).put("rotated", rotated));
          return new Outcome(id, new Cached(t.accessToken(), expiresAt), 0, null, false, null, null);
        });
      }
      Throwable err = ar.cause();
      if (err instanceof OAuthException oe && oe.kind() == OAuthException.Kind.REVOKED) {
        refreshed("revoked");
        log.warn("token refresh failed integration={} error={}: needs reconnect", id, oe.error());
        return revoke(conn, row, oe.error());
      }
      refreshed("error");
      log.warn("token refresh failed integration={} reason={}", id, err.getMessage());
      audit("token.refresh_failed", id, new JsonObject().put("error", err.getMessage()));
      int code = err instanceof OAuthException oe && oe.kind() == OAuthException.Kind.CLIENT
          ? FailureCode.INTERNAL : FailureCode.UNAVAILABLE;
      return Future.succeededFuture(fail(id, code, err.getMessage()));
    });
  }

  private Future<Outcome> revoke(io.vertx.sqlclient.SqlConnection conn, Credentials row, String reason) {
    return Integrations.transition(conn, row.id(), "needs_reconnect", reason)
        .map(userId -> new Outcome(row.id(), null, FailureCode.NEEDS_RECONNECT, "integration " + row.id() + " needs reconnecting ("
            + reason + ")", userId != null, userId, reason));
  }

  private Future<Cached> apply(Outcome o) {
    if (o.revoked) {
      // Published after commit, once per transition.
      long id = o.id;
      cache.remove(id);
      JsonObject status = new JsonObject().put("integrationId", id).put("userId", o.userId).put("status", "needs_reconnect")
          .put("reason", o.reason).put("at", Instant.now().toString());
      vertx.eventBus().publish(Addresses.INTEGRATION_STATUS, status);
      audit("integration.needs_reconnect", id, new JsonObject().put("reason", o.reason));
    }
    if (o.token != null) return Future.succeededFuture(o.token);
    return Future.failedFuture(new ReplyException(io.vertx.core.eventbus.ReplyFailure.RECIPIENT_FAILURE, o.failureCode, o.failure));
  }

  private void refreshed(String outcome) {
    Counter.builder("calsync.token.refreshes").description("Token refreshes by outcome").tag("outcome", outcome)
        .register(registry).increment();
  }

  private static Outcome fail(long id, int code, String message) {
    return new Outcome(id, null, code, message, false, null, null);
  }

  private void audit(String action, long integrationId, JsonObject detail) {
    vertx.eventBus().send(Addresses.AUDIT_RECORD, new JsonObject().put("actor", "token").put("action", action)
        .put("integrationId", integrationId).put("detail", detail));
  }

  private static JsonObject reply(Cached c) {
    return new JsonObject().put("accessToken", c.accessToken).put("expiresAt", c.expiresAtMillis);
  }

}
