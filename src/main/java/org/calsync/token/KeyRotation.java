package org.calsync.token;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.calsync.audit.AuditEvent;
import org.calsync.bus.Addresses;

/**
 * Re-encrypts every stored credential that is not under the active key (the first of token.keys), while daemons run.
 * Each batch is one short transaction over rows taken with FOR UPDATE SKIP LOCKED, so a writer holding a row
 * is never waited on (the row is visited again in a later pass) and a refresh never sees a half-rotated row. Rows
 * sealed with a key that is not configured are left untouched and counted. Procedure: configure "new,old" on every
 * daemon (they then seal with the new key and still read the old), run rotate-keys until remaining is 0, then remove
 * the old key.
 */
public final class KeyRotation {
  /** Counts of one run. remaining: rows still not under the active key (locked throughout, or unreadable). */
  public record Result(String activeKeyId, long rotated, long unreadable, long remaining, Set<String> fromKeys) {
    public JsonObject toJson() {
      return new JsonObject().put("activeKeyId", activeKeyId).put("rotated", rotated).put("unreadable", unreadable)
          .put("remaining", remaining).put("fromKeys", new JsonArray(new ArrayList<>(fromKeys)));
    }
  }

  private static final int MAX_PASSES = 20;

  private final Vertx vertx;
  private final Pool pool;
  private final CredentialCipher cipher;
  private final int batchSize;
  private final String actor;

  public KeyRotation(Vertx vertx, Pool pool, CredentialCipher cipher, int batchSize) {
    this(vertx, pool, cipher, batchSize, "admin");
  }

  /** actor: who is recorded in the audit log as having rotated the keys. */
  public KeyRotation(Vertx vertx, Pool pool, CredentialCipher cipher, int batchSize, String actor) {
    this.actor = actor;
    this.vertx = vertx;
    this.pool = pool;
    this.cipher = cipher;
    this.batchSize = Math.max(1, batchSize);
  }

  public Future<Result> run() {
    Set<String> from = new TreeSet<>();
    long[] counts = new long[1]; // rotated
    Set<Long> unreadable = new TreeSet<>();
    return pass(0, 0, from, counts, unreadable)
        .compose(v -> pool.preparedQuery("SELECT count(*) FROM user_integrations WHERE credentials IS NOT NULL "
            + "AND key_id IS DISTINCT FROM $1").execute(Tuple.of(cipher.activeKeyId())))
        .map(rs -> new Result(cipher.activeKeyId(), counts[0], unreadable.size(), rs.iterator().next().getLong(0), from))
        .onSuccess(r -> new AuditEvent(actor, "keys.rotated", null, r.toJson()).send(vertx.eventBus()));
  }

  /** One pass over the table in id order; another pass if rows were skipped because they were locked. */
  private Future<Void> pass(int passNo, long afterId, Set<String> from, long[] counts, Set<Long> unreadable) {
    return batch(afterId, from, counts, unreadable).compose(last -> {
      if (last != null) return pass(passNo, last, from, counts, unreadable);
      return pendingReadable().compose(pending -> pending > 0 && passNo + 1 < MAX_PASSES
          ? vertx.timer(100L * (passNo + 1)).compose(t -> pass(passNo + 1, 0, from, counts, unreadable))
          : Future.succeededFuture());
    });
  }

  /** Re-seals up to batchSize rows after afterId; returns the last id seen, or null when the table is done. */
  private Future<Long> batch(long afterId, Set<String> from, long[] counts, Set<Long> unreadable) {
    return pool.withTransaction(conn -> conn.preparedQuery("SELECT id, key_id, credentials FROM user_integrations "
            + "WHERE id > $1 AND credentials IS NOT NULL AND key_id IS DISTINCT FROM $2 ORDER BY id LIMIT $3 "
            + "FOR UPDATE SKIP LOCKED")
        .execute(Tuple.of(afterId, cipher.activeKeyId(), batchSize)).compose(rs -> {
          if (rs.size() == 0) return Future.succeededFuture((Long) null);
          List<Tuple> updates = new ArrayList<>();
          long last = afterId;
          for (Row r : rs) {
            long id = r.getLong(0);
            last = id;
            String keyId = r.getString(1);
            if (keyId == null || !cipher.hasKey(keyId)) {
              unreadable.add(id);
              continue;
            }
            JsonObject creds;
            try {
              creds = cipher.open(id, keyId, r.getBuffer(2).getBytes());
            } catch (IllegalStateException e) {
              unreadable.add(id);
              continue;
            }
            from.add(keyId);
            updates.add(Tuple.of(id, Buffer.buffer(cipher.seal(id, creds)), cipher.activeKeyId(), keyId));
          }
          long lastId = last;
          if (updates.isEmpty()) return Future.succeededFuture(lastId);
          // key_id = $4 guards against a concurrent writer that sealed the row anew since we read it.
          return conn.preparedQuery("UPDATE user_integrations SET credentials = $2, key_id = $3 WHERE id = $1 AND key_id = $4")
              .executeBatch(updates).map(x -> {
                counts[0] += updates.size();
                return lastId;
              });
        }));
  }

  private Future<Long> pendingReadable() {
    List<String> others = new ArrayList<>();
    // Only keys we can read count as pending: unreadable rows would never finish.
    return pool.preparedQuery("SELECT DISTINCT key_id FROM user_integrations WHERE credentials IS NOT NULL "
            + "AND key_id IS DISTINCT FROM $1").execute(Tuple.of(cipher.activeKeyId()))
        .compose(rs -> {
          for (Row r : rs) if (r.getString(0) != null && cipher.hasKey(r.getString(0))) others.add(r.getString(0));
          if (others.isEmpty()) return Future.succeededFuture(0L);
          return pool.preparedQuery("SELECT count(*) FROM user_integrations WHERE credentials IS NOT NULL AND key_id = ANY($1)")
              .execute(Tuple.of(others.toArray(new String[0]))).map(c -> c.iterator().next().getLong(0));
        });
  }
}
