package org.calsync.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Tuple;
import org.calsync.config.DbConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL session advisory lock held on a dedicated connection: the holder is the one process that runs some
 * singleton work (scheduler, push channel keeper). If the connection drops, the lock is gone and another process can
 * take it. Confined to one event loop.
 */
public final class LeaderLock {
  private static final Logger log = LoggerFactory.getLogger(LeaderLock.class);
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

  /** True when this process holds the lock (taking it if free). */
  public Future<Boolean> ensure() {
    if (held && connection != null) return Future.succeededFuture(true);
    Future<PgConnection> conn = connection != null ? Future.succeededFuture(connection)
        : PgConnection.connect(vertx, Db.connectOptions(config)).onSuccess(c -> {
          connection = c;
          c.closeHandler(v -> {
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

  public boolean held() {
    return held;
  }

  public Future<Void> close() {
    return connection == null ? Future.succeededFuture() : connection.close();
  }
}
