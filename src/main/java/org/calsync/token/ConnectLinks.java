package org.calsync.token;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.OffsetDateTime;
import org.calsync.bus.BusFailure;
import org.calsync.crypto.Secrets;

/**
 * SQL for connect_links (V13). Link tokens and OAuth states are random 256-bit values; only their SHA-256 is stored. A
 * link is opened at most once (while unexpired) and its state redeemed at most once, each by one conditional UPDATE, so
 * two browsers racing on one link or one callback get one success.
 */
final class ConnectLinks {
  /** How long the OAuth round trip (link opened, consent, callback) may take. */
  static final Duration STATE_TTL = Duration.ofMinutes(15);

  /** A created link: its token goes into the URL and is not stored. */
  record Created(long id, String token, OffsetDateTime expiresAt) {}

  /** An opened link, or why it cannot be (expired, used, unknown) with the return URL to report to. */
  record Opened(long id, long userId, Long integrationId, String loginHint, String returnUrl, String refusal) {}

  /** A redeemed state, or why not (expired, replayed, unknown). */
  record Redeemed(long id, long userId, Long integrationId, String returnUrl, byte[] verifier, String keyId, String refusal) {}

  private ConnectLinks() {
  }

  static Buffer hash(String token) {
    return Buffer.buffer(Secrets.sha256(token));
  }

  /**
   * Stores a link for the user (a reconnect link when integrationId is set: it must be the user's and not
   * disconnected, else NOT_FOUND). Runs on db, which may be the connection of a caller's transaction.
   */
  static Future<Created> create(SqlClient db, long userId, Long integrationId, String loginHint, String returnUrl, Duration ttl) {
    Future<Void> check = integrationId == null ? Future.succeededFuture()
        : db.preparedQuery("SELECT 1 FROM user_integrations WHERE id = $1 AND user_id = $2 AND status <> 'disconnected'")
            .execute(Tuple.of(integrationId, userId))
            .compose(rs -> rs.size() == 1 ? Future.succeededFuture() : Future.failedFuture(BusFailure.notFound(
                "integration " + integrationId + " of user " + userId + " does not exist or was disconnected")));
    String token = Secrets.randomToken();
    return check.compose(v -> db.preparedQuery("INSERT INTO connect_links (token_hash, user_id, integration_id, login_hint, "
                + "return_url, expires_at) VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6)) RETURNING id, expires_at")
            .execute(Tuple.of(hash(token), userId, integrationId, loginHint, returnUrl, (double) ttl.toSeconds())))
        .map(rs -> new Created(rs.iterator().next().getLong(0), token, rs.iterator().next().getOffsetDateTime(1)));
  }

  /** The link's id by token (any state), or null. */
  static Future<Long> find(SqlClient db, String token) {
    return db.preparedQuery("SELECT id FROM connect_links WHERE token_hash = $1").execute(Tuple.of(hash(token)))
        .map(rs -> rs.size() == 0 ? null : rs.iterator().next().getLong(0));
  }

  /** Opens the link once: records the state's hash and the sealed PKCE verifier. */
  static Future<Opened> open(SqlClient db, long id, String state, byte[] sealedVerifier, String keyId) {
    return db.preparedQuery("UPDATE connect_links SET opened_at = now(), state_hash = $2, verifier = $3, key_id = $4, "
            + "state_expires_at = now() + make_interval(secs => $5) WHERE id = $1 AND opened_at IS NULL AND expires_at > now() "
            + "RETURNING user_id, integration_id, login_hint, return_url")
        .execute(Tuple.of(id, hash(state), Buffer.buffer(sealedVerifier), keyId, (double) STATE_TTL.toSeconds()))
        .compose(rs -> {
          if (rs.size() == 1) {
            Row r = rs.iterator().next();
            return Future.succeededFuture(new Opened(id, r.getLong(0), r.getLong(1), r.getString(2), r.getString(3), null));
          }
          return db.preparedQuery("SELECT user_id, integration_id, return_url, opened_at IS NOT NULL FROM connect_links "
                  + "WHERE id = $1").execute(Tuple.of(id))
              .map(why -> {
                Row r = why.iterator().next();
                return new Opened(id, r.getLong(0), r.getLong(1), null, r.getString(2), r.getBoolean(3) ? "used" : "expired");
              });
        });
  }

  /** Redeems the state once (unexpired); the outcome is recorded later with {@link #finish}. */
  static Future<Redeemed> redeem(SqlClient db, String state) {
    Buffer h = hash(state);
    return db.preparedQuery("UPDATE connect_links SET completed_at = now() WHERE state_hash = $1 AND completed_at IS NULL "
            + "AND state_expires_at > now() RETURNING id, user_id, integration_id, return_url, verifier, key_id")
        .execute(Tuple.of(h))
        .compose(rs -> {
          if (rs.size() == 1) {
            Row r = rs.iterator().next();
            return Future.succeededFuture(new Redeemed(r.getLong(0), r.getLong(1), r.getLong(2), r.getString(3),
                r.getBuffer(4).getBytes(), r.getString(5), null));
          }
          return db.preparedQuery("SELECT id, user_id, integration_id, return_url, completed_at IS NOT NULL FROM connect_links "
                  + "WHERE state_hash = $1").execute(Tuple.of(h))
              .map(why -> {
                if (why.size() == 0) return new Redeemed(0, 0, null, null, null, null, "unknown");
                Row r = why.iterator().next();
                return new Redeemed(r.getLong(0), r.getLong(1), r.getLong(2), r.getString(3), null, null,
                    r.getBoolean(4) ? "replayed" : "expired");
              });
        });
  }

  /** Records how the link ended and drops the sealed verifier. */
  static Future<Void> finish(SqlClient db, long id, String outcome) {
    return db.preparedQuery("UPDATE connect_links SET outcome = $2, verifier = NULL WHERE id = $1")
        .execute(Tuple.of(id, outcome)).mapEmpty();
  }
}
