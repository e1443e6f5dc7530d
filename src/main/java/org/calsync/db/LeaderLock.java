package org.calsync.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Tuple;
import java.util.concurrent.TimeUnit;
import org.calsync.config.DbConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL session advisory lock held on a dedicated connection: the holder is the one process that runs some
 * singleton work (scheduler, push channel keeper). If the connection drops, the lock is gone and another process can
 * take it. A connection can also die without the client noticing (the server ended the session, the network lost its
 * close), so every {@link #ensure()} while held asks that connection whether it still holds the lock (pg_locks, for
 * its own backend); no answer within {@link #VERIFY_TIMEOUT_MS}, an error, or "no" steps down: the connection is
 * closed, ensure answers false, and a later call tries to take the lock again on a new connection. Callers call ensure
 * before each piece of singleton work. Confined to one event loop.
 */
public final class LeaderLock {
  private static final Logger log = LoggerFactory.getLogger(LeaderLock.class);
  static final long VERIFY_TIMEOUT_MS = 5000;
  private final Vertx vertx;
  private final DbConfig config;
  private final long key;
  private final String what;
  private PgConnection connection;
  private boolean held;

  /** key: the advisory lock id; what: a name for the log ("scheduler"). */
  public LeaderLock(Vertx vertx, DbConfig config, long key, String what) {
    this.vertx = vertx;
    this.config = config;
    this.key = key;
    this.what = what;
  }

  /** True when this process holds the lock (checked on its connection now, or taken now if free). */
  public Future<Boolean> ensure() {
    if (held && connection != null) return verify(connection);
    Future<PgConnection> conn = connection != null ? Future.succeededFuture(connection)
        : PgConnection.connect(vertx, Db.connectOptions(config)).onSuccess(c -> {
          connection = c;
          c.closeHandler(v -> {
            if (connection != c) return;
            if (held) log.warn("{} lost its leader lock connection", what);
            held = false;
            connection = null;
          });
        });
    return conn.compose(c -> c.preparedQuery("SELECT pg_try_advisory_lock($1)").execute(Tuple.of(key)))
        .map(rs -> {
          held = rs.iterator().next().getBoolean(0);
          if (held) log.info("{} leadership acquired", what);
          return held;
        });
  }

  private Future<Boolean> verify(PgConnection c) {
    return c.preparedQuery("SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() "
            + "AND granted AND objsubid = 1 AND classid::bigint = $1 AND objid::bigint = $2)")
        .execute(Tuple.of(key >>> 32, key & 0xFFFF_FFFFL))
        .timeout(VERIFY_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .map(rs -> rs.iterator().next().getBoolean(0))
        .otherwise(e -> {
          log.warn("{} could not confirm its leader lock: {}", what, e.getMessage());
          return false;
        })
        .map(still -> {
          if (!still && connection == c) {
            log.warn("{} stepped down: the leader lock is no longer held on its connection", what);
            held = false;
            connection = null;
            c.close();
          }
          return still;
        });
  }

  public boolean held() {
    return held;
  }

  public Future<Void> close() {
    PgConnection c = connection;
    held = false;
    connection = null;
    return c == null ? Future.succeededFuture() : c.close();
  }
}
