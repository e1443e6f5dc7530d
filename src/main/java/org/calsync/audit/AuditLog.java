package org.calsync.audit;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * SQL for audit_log. Appends run under a transaction-scoped advisory lock so that the chain stays linear when several
 * processes write.
 */
public final class AuditLog {
  private static final long CHAIN_LOCK = 0x6361_6c73_0001L;
  /** Action of the record a retention purge leaves (detail: deleted, retentionDays, anchor); informational only. */
  public static final String PURGED = "audit.purged";

  /** One record to append. */
  public record Entry(Instant at, String actor, String action, Long integrationId, String detail) {
  }

  /** Result of verify: rows checked, and the first broken id (or -1). */
  public record Verification(long checked, long firstBrokenId, String problem) {
    public boolean ok() {
      return firstBrokenId < 0;
    }
  }

  private final Pool pool;

  public AuditLog(Pool pool) {
    this.pool = pool;
  }

  public Future<Void> append(List<Entry> entries) {
    if (entries.isEmpty()) return Future.succeededFuture();
    return pool.withTransaction(conn -> append(conn, entries));
  }

  /**
   * Appends inside the caller's transaction, so the records commit (or roll back) with the change they describe. Holds
   * the chain's transaction lock until that commit: keep such transactions short.
   */
  public static Future<Void> append(SqlConnection conn, List<Entry> entries) {
    if (entries.isEmpty()) return Future.succeededFuture();
    // pipelined: the read runs after the lock is granted (its snapshot is taken then), without a round trip between
    Future<?> lock = conn.preparedQuery("SELECT pg_advisory_xact_lock($1)").execute(Tuple.of(CHAIN_LOCK));
    Future<RowSet<Row>> last = conn.preparedQuery("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1").execute();
    return lock.compose(v -> last)
        .compose(rs -> {
          byte[] prev = rs.size() == 0 ? AuditChain.GENESIS : rs.iterator().next().getBuffer(0).getBytes();
          int n = entries.size();
          OffsetDateTime[] ats = new OffsetDateTime[n];
          String[] actors = new String[n];
          String[] actions = new String[n];
          Long[] integrations = new Long[n];
          String[] details = new String[n];
          Buffer[] prevs = new Buffer[n];
          Buffer[] hashes = new Buffer[n];
          for (int i = 0; i < n; i++) {
            Entry e = entries.get(i);
            Instant at = e.at().truncatedTo(ChronoUnit.MICROS);
            long micros = ChronoUnit.MICROS.between(Instant.EPOCH, at);
            byte[] hash = AuditChain.hash(prev, micros, e.actor(), e.action(), e.integrationId(), e.detail());
            ats[i] = OffsetDateTime.ofInstant(at, ZoneOffset.UTC);
            actors[i] = e.actor();
            actions[i] = e.action();
            integrations[i] = e.integrationId();
            details[i] = e.detail();
            prevs[i] = Buffer.buffer(prev);
            hashes[i] = Buffer.buffer(hash);
            prev = hash;
          }
          // one statement for the batch; ids follow the chain's order (ORDER BY the array position)
          return conn.preparedQuery("INSERT INTO audit_log (at, actor, action, integration_id, detail, prev_hash, hash) "
                  + "SELECT at, actor, action, integration_id, detail, prev_hash, hash FROM unnest($1::timestamptz[], "
                  + "$2::text[], $3::text[], $4::bigint[], $5::text[], $6::bytea[], $7::bytea[]) WITH ORDINALITY "
                  + "AS r(at, actor, action, integration_id, detail, prev_hash, hash, pos) ORDER BY pos")
              .execute(Tuple.of(ats, actors, actions, integrations, details, prevs, hashes)).mapEmpty();
        });
  }

  /**
   * Recomputes the chain in id order, in pages; reports the first row whose link or hash does not match. The first row
   * must link to the genesis hash or to an anchor that audit_log_purge() recorded in audit_purges (a table only the
   * owner writes), so removing the oldest records by hand is detected even if an audit.purged row claims otherwise.
   */
  public Future<Verification> verify() {
    return pool.query("SELECT id, prev_hash FROM audit_log ORDER BY id LIMIT 1").execute().compose(first -> {
      if (first.size() == 0) return Future.succeededFuture(new Verification(0, -1, null));
      Row r = first.iterator().next();
      byte[] prev = r.getBuffer(1).getBytes();
      if (Arrays.equals(prev, AuditChain.GENESIS)) return verifyFrom(0, null, 0);
      return pool.preparedQuery("SELECT count(*) FROM audit_purges WHERE anchor = $1").execute(Tuple.of(Buffer.buffer(prev)))
          .compose(rs -> rs.iterator().next().getLong(0) > 0 ? verifyFrom(0, null, 0)
              : Future.succeededFuture(new Verification(0, r.getLong(0),
                  "the first record does not link to the start of the chain nor to a recorded purge (older records were removed)")));
    });
  }

  private Future<Verification> verifyFrom(long afterId, byte[] expectedPrev, long checked) {
    return pool.preparedQuery("SELECT id, at, actor, action, integration_id, detail, prev_hash, hash FROM audit_log "
            + "WHERE id > $1 ORDER BY id LIMIT 5000")
        .execute(Tuple.of(afterId)).compose(rs -> {
          byte[] prev = expectedPrev;
          long n = checked;
          long last = afterId;
          for (Row r : rs) {
            long id = r.getLong(0);
            byte[] storedPrev = r.getBuffer(6).getBytes();
            if (prev != null && !Arrays.equals(prev, storedPrev)) {
              return Future.succeededFuture(new Verification(n, id, "prev_hash does not link to the record before (a record was removed or reordered)"));
            }
            long micros = ChronoUnit.MICROS.between(Instant.EPOCH, r.getOffsetDateTime(1).toInstant());
            byte[] hash = AuditChain.hash(storedPrev, micros, r.getString(2), r.getString(3), r.getLong(4), r.getString(5));
            if (!Arrays.equals(hash, r.getBuffer(7).getBytes())) {
              return Future.succeededFuture(new Verification(n, id, "content does not match its hash (the record was modified)"));
            }
            prev = hash;
            last = id;
            n++;
          }
          if (rs.size() < 5000) return Future.succeededFuture(new Verification(n, -1, null));
          return verifyFrom(last, prev, n);
        });
  }

  /**
   * Removes the records past the retention the database owner set (audit_retention, at least 30 days) through the
   * audit_log_purge() function, the only deletion the table allows, and appends an audit.purged record (deleted count,
   * retention, anchor) for readers; the anchor verify trusts is the one the function recorded in audit_purges.
   */
  public Future<Integer> purge() {
    return pool.query("SELECT deleted, anchor, retention_days FROM audit_log_purge()").execute().compose(rs -> {
      Row r = rs.iterator().next();
      int deleted = (int) (long) r.getLong(0);
      if (deleted == 0) return Future.succeededFuture(0);
      String anchor = r.getBuffer(1) == null ? "" : HexFormat.of().formatHex(r.getBuffer(1).getBytes());
      JsonObject detail = new JsonObject().put("deleted", deleted).put("retentionDays", r.getInteger(2)).put("anchor", anchor);
      return append(List.of(new Entry(Instant.now(), "audit", PURGED, null, detail.encode()))).map(v -> deleted);
    });
  }
}
