package org.calsync.token;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import org.calsync.audit.AuditEvent;
import org.calsync.bus.Addresses;
import org.calsync.bus.FailureCode;
import org.calsync.google.OAuthClient;
import org.calsync.google.OAuthException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads an integration's access token and refreshes it when due, one refresh per integration across processes: the
 * refresh lease ({@link RefreshLeases}) is taken in one statement, Google is called with no connection held, and the
 * result is stored only while the lease is ours. Delegated integrations ({@link DelegatedGrant}) follow the same path:
 * a new signed assertion instead of the refresh token. A caller that finds another holder's lease waits (25 ms doubling up to
 * 500 ms) and reads again, then uses what the holder stored. A lost lease (reconnect, disconnect, lapse) discards the
 * result and starts over from a fresh read. Gives up with {@link FailureCode#UNAVAILABLE} after twice the lease time.
 */
final class TokenRefresh {
  private static final Logger log = LoggerFactory.getLogger(TokenRefresh.class);
  private static final long FIRST_WAIT_MS = 25;
  private static final long MAX_WAIT_MS = 500;

  /** reconnectUserId is set when this refresh moved the integration to needs_reconnect (notify once). */
  record Outcome(long id, AccessToken token, int failureCode, String failure, Long reconnectUserId, String reason) {
    static Outcome ok(long id, AccessToken token) {
      return new Outcome(id, token, 0, null, null, null);
    }

    static Outcome fail(long id, int code, String message) {
      return new Outcome(id, null, code, message, null, null);
    }
  }

  private final Vertx vertx;
  private final RefreshLeases leases;
  private final CredentialCipher cipher;
  private final OAuthClient oauth;
  private final DelegatedGrant delegation;
  private final MeterRegistry registry;
  private final long bufferMillis;
  private final long leaseSeconds;

  TokenRefresh(Vertx vertx, RefreshLeases leases, CredentialCipher cipher, OAuthClient oauth, DelegatedGrant delegation,
               MeterRegistry registry, long bufferMillis, long leaseSeconds) {
    this.vertx = vertx;
    this.leases = leases;
    this.cipher = cipher;
    this.oauth = oauth;
    this.delegation = delegation;
    this.registry = registry;
    this.bufferMillis = bufferMillis;
    this.leaseSeconds = leaseSeconds;
  }

  boolean fresh(AccessToken t) {
    return t.expiresAtMillis() - System.currentTimeMillis() > bufferMillis;
  }

  /**
   * rejected: the access token a caller saw refused (force), or null; a different stored token is newer and used as is.
   * verify: always exchange the refresh token (token health check).
   */
  Future<Outcome> run(long id, String rejected, boolean verify) {
    return attempt(id, rejected, verify, FIRST_WAIT_MS, System.currentTimeMillis() + leaseSeconds * 2000);
  }

  private Future<Outcome> attempt(long id, String rejected, boolean verify, long waitMs, long deadline) {
    return leases.read(id).compose(row -> {
      if (row == null) return done(Outcome.fail(id, FailureCode.NOT_FOUND, "integration " + id + " does not exist"));
      if (!"active".equals(row.status())) {
        return done(Outcome.fail(id, FailureCode.NEEDS_RECONNECT, "integration " + id + " is " + row.status()));
      }
      if (row.sealed() == null) return done(Outcome.fail(id, FailureCode.INTERNAL, "integration " + id + " has no credentials"));
      JsonObject creds;
      try {
        creds = cipher.open(id, row.keyId(), row.sealed());
      } catch (IllegalStateException e) {
        return done(Outcome.fail(id, FailureCode.INTERNAL, e.getMessage()));
      }
      String access = creds.getString("access_token");
      if (!verify && access != null && row.accessExpiresAt() != null) {
        AccessToken stored = new AccessToken(access, row.accessExpiresAt().toInstant().toEpochMilli());
        if (fresh(stored) && (rejected == null || !rejected.equals(access))) return done(Outcome.ok(id, stored));
      }
      if (row.leased()) return later(id, rejected, verify, waitMs, deadline);
      UUID lease = UUID.randomUUID();
      return leases.acquire(id, lease, row.sealed(), leaseSeconds).compose(mine -> !mine
          ? later(id, rejected, verify, waitMs, deadline)
          : refresh(id, creds, lease, row.delegated()).compose(o -> o != null ? done(o) : later(id, rejected, verify, FIRST_WAIT_MS, deadline)));
    });
  }

  private Future<Outcome> later(long id, String rejected, boolean verify, long waitMs, long deadline) {
    if (System.currentTimeMillis() + waitMs > deadline) {
      return done(Outcome.fail(id, FailureCode.UNAVAILABLE, "the token of integration " + id + " is being refreshed elsewhere"));
    }
    Promise<Outcome> next = Promise.promise();
    vertx.setTimer(waitMs, t -> attempt(id, rejected, verify, Math.min(MAX_WAIT_MS, waitMs * 2), deadline).onComplete(next));
    return next.future();
  }

  /**
   * Calls Google under the lease; null when the lease was lost meanwhile (nothing stored, start over). A failure to
   * store the outcome (database) releases the lease before failing.
   */
  private Future<Outcome> refresh(long id, JsonObject creds, UUID lease, boolean delegated) {
    return refreshHeld(id, creds, lease, delegated)
        .recover(err -> leases.release(id, lease).transform(x -> Future.failedFuture(err)));
  }

  /**
   * A delegated integration signs a new assertion (a refused delegation is treated like invalid_grant, a refused key or
   * clock like a client misconfiguration: see OAuthClient#jwtBearer); others use the refresh token.
   */
  private Future<Outcome> refreshHeld(long id, JsonObject creds, UUID lease, boolean delegated) {
    String grant = creds.getString(delegated ? DelegatedGrant.SUBJECT : "refresh_token");
    if (grant == null || grant.isEmpty()) {
      return reconnect(id, lease, delegated ? "no delegated account stored" : "no refresh token stored");
    }
    log.atDebug().setMessage("attempting silent token refresh").addKeyValue("integration", id).addKeyValue("delegated", delegated).log();
    return (delegated ? delegation.token(grant) : oauth.refresh(grant)).transform(ar -> {
      if (ar.succeeded()) return store(id, creds, lease, ar.result());
      Throwable err = ar.cause();
      if (err instanceof OAuthException oe && oe.kind() == OAuthException.Kind.REVOKED) {
        count("revoked");
        log.atWarn().setMessage("token refresh refused, integration needs reconnecting").addKeyValue("integration", id)
            .addKeyValue("error", oe.error()).log();
        return reconnect(id, lease, oe.error());
      }
      count("error");
      boolean client = err instanceof OAuthException oe && oe.kind() == OAuthException.Kind.CLIENT;
      String code = err instanceof OAuthException oe ? oe.error() : err.getClass().getSimpleName();
      if (client) {
        log.atError().setMessage(delegated ? "delegated token refused: check the service account key "
                + "(google.serviceAccountKeyFile); no integration status changed"
                : "token refresh refused: OAuth client configuration (google.clientId/clientSecret) does not "
                + "match this grant; no integration status changed").addKeyValue("integration", id).addKeyValue("error", code)
            .addKeyValue("reason", err.getMessage()).log();
      } else {
        log.atWarn().setMessage("token refresh failed").addKeyValue("integration", id).addKeyValue("error", code)
            .addKeyValue("reason", err.getMessage()).log();
      }
      audit("token.refresh_failed", id, new JsonObject().put("error", code).put("message", err.getMessage()));
      Outcome failed = Outcome.fail(id, client ? FailureCode.INTERNAL : FailureCode.UNAVAILABLE, err.getMessage());
      return leases.release(id, lease).transform(x -> done(failed));
    });
  }

  private Future<Outcome> store(long id, JsonObject creds, UUID lease, OAuthClient.Tokens t) {
    long expiresAt = System.currentTimeMillis() + t.expiresInSeconds() * 1000L;
    JsonObject updated = creds.copy().put("access_token", t.accessToken());
    boolean rotated = t.refreshToken() != null && !t.refreshToken().isEmpty();
    if (rotated) updated.put("refresh_token", t.refreshToken());
    OffsetDateTime at = OffsetDateTime.ofInstant(Instant.ofEpochMilli(expiresAt), ZoneOffset.UTC);
    return leases.store(id, lease, cipher.seal(id, updated), cipher.activeKeyId(), at).map(stored -> {
      if (!stored) {
        log.atInfo().setMessage("refreshed token discarded: the integration changed meanwhile").addKeyValue("integration", id).log();
        return null;
      }
      count("ok");
      log.atDebug().setMessage("token refreshed successfully").addKeyValue("integration", id)
          .addKeyValue("expiresInSeconds", t.expiresInSeconds()).addKeyValue("refreshTokenRotated", rotated).log();
      audit("token.refreshed", id, new JsonObject().put("expiresInSeconds", t.expiresInSeconds()).put("rotated", rotated));
      return Outcome.ok(id, new AccessToken(t.accessToken(), expiresAt));
    });
  }

  private Future<Outcome> reconnect(long id, UUID lease, String reason) {
    return leases.needsReconnect(id, lease, reason).map(userId -> userId == null ? null
        : new Outcome(id, null, FailureCode.NEEDS_RECONNECT, "integration " + id + " needs reconnecting (" + reason + ")", userId, reason));
  }

  private void count(String outcome) {
    Counter.builder("calsync.token.refreshes").description("Token refreshes by outcome").tag("outcome", outcome)
        .register(registry).increment();
  }

  private void audit(String action, long integrationId, JsonObject detail) {
    new AuditEvent("token", action, integrationId, detail).send(vertx.eventBus());
  }

  private static Future<Outcome> done(Outcome o) {
    return Future.succeededFuture(o);
  }
}
