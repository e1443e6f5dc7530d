package org.calsync.api;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.security.MessageDigest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.calsync.crypto.Secrets;

/**
 * API keys ({@code api_keys}). A key is {@code csk_<id>_<secret>} with 32 random bytes of secret; only the SHA-256 of
 * the whole key is stored, so the key is shown once at creation. Checks find the row by id and compare hashes with
 * {@link MessageDigest#isEqual} (constant time). Scope "write" includes "read".
 */
public final class ApiKeys {
  public static final String READ = "read";
  public static final String WRITE = "write";
  private static final Pattern FORMAT = Pattern.compile("csk_(\\d{1,18})_([A-Za-z0-9_-]{43})");

  /** A key that passed the check. */
  public record Key(long id, String name, String scope) {
    public boolean allows(String needed) {
      return WRITE.equals(scope) || READ.equals(needed);
    }
  }

  /** A newly created key: the only time the plaintext exists. */
  public record Created(long id, String key) {
  }

  private final Pool pool;

  public ApiKeys(Pool pool) {
    this.pool = pool;
  }

  public Future<Created> create(String name, String scope) {
    if (!READ.equals(scope) && !WRITE.equals(scope)) {
      return Future.failedFuture(new IllegalArgumentException("scope must be read or write, got '" + scope + "'"));
    }
    if (name == null || name.isBlank() || name.length() > 100) {
      return Future.failedFuture(new IllegalArgumentException("name must be 1..100 characters"));
    }
    String encoded = Secrets.randomToken();
    // the id is part of the key, so the row is inserted first with a placeholder hash, in one transaction
    return pool.withTransaction(conn -> conn.preparedQuery("INSERT INTO api_keys (name, scope, key_hash) VALUES ($1, $2, $3) RETURNING id")
        .execute(Tuple.of(name, scope, new byte[32]))
        .compose(rs -> {
          long id = rs.iterator().next().getLong(0);
          String key = "csk_" + id + "_" + encoded;
          return conn.preparedQuery("UPDATE api_keys SET key_hash = $2 WHERE id = $1")
              .execute(Tuple.of(id, Secrets.sha256(key))).map(new Created(id, key));
        }));
  }

  /** Every key, newest first, without hashes. */
  public Future<JsonArray> list() {
    return pool.query("SELECT id, name, scope, created_at, last_used_at, revoked_at FROM api_keys ORDER BY id DESC").execute()
        .map(rs -> {
          JsonArray out = new JsonArray();
          for (Row r : rs) {
            out.add(new JsonObject().put("id", r.getLong(0)).put("name", r.getString(1)).put("scope", r.getString(2))
                .put("createdAt", String.valueOf(r.getOffsetDateTime(3))).put("lastUsedAt", str(r.getOffsetDateTime(4)))
                .put("revokedAt", str(r.getOffsetDateTime(5))));
          }
          return out;
        });
  }

  /** True when the key existed and was not revoked yet. */
  public Future<Boolean> revoke(long id) {
    return pool.preparedQuery("UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL")
        .execute(Tuple.of(id)).map(rs -> rs.rowCount() == 1);
  }

  /** The key behind a presented string, or null when it is malformed, unknown, revoked or wrong. */
  public Future<Key> check(String presented) {
    Matcher m = presented == null ? null : FORMAT.matcher(presented);
    if (m == null || !m.matches()) return Future.succeededFuture(null);
    long id = Long.parseLong(m.group(1));
    byte[] hash = Secrets.sha256(presented);
    return pool.preparedQuery("SELECT name, scope, key_hash FROM api_keys WHERE id = $1 AND revoked_at IS NULL")
        .execute(Tuple.of(id)).map(rs -> {
          if (rs.size() == 0) return null;
          Row r = rs.iterator().next();
          return MessageDigest.isEqual(hash, r.getBuffer(2).getBytes()) ? new Key(id, r.getString(0), r.getString(1)) : null;
        });
  }

  /** Marks a key used, at most once a minute per key (a hint for operators, not an audit record). */
  public Future<Void> touch(long id) {
    return pool.preparedQuery("UPDATE api_keys SET last_used_at = now() WHERE id = $1 "
            + "AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')")
        .execute(Tuple.of(id)).mapEmpty();
  }


  private static String str(Object o) {
    return o == null ? null : o.toString();
  }
}
