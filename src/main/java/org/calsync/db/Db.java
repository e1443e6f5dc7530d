package org.calsync.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import org.calsync.config.ConfigException;
import org.calsync.config.DbConfig;
import org.flywaydb.core.Flyway;

/** PostgreSQL access: the shared reactive pool and schema migrations (Flyway over JDBC, run off the event loop). */
public final class Db {
  private Db() {
  }

  public static PgConnectOptions connectOptions(DbConfig config) {
    PgConnectOptions options;
    try {
      options = PgConnectOptions.fromUri(config.url());
    } catch (RuntimeException e) {
      throw new ConfigException("db.url", "cannot be parsed: '" + DbConfig.redacted(config.url()) + "'",
          "use postgresql://user@host:5432/dbname");
    }
    if (config.password() != null && !config.password().isEmpty()) options.setPassword(config.password());
    return options.setCachePreparedStatements(true).setPipeliningLimit(64);
  }

  /** The pool of one App, handed to all its verticles. */
  public static Pool pool(Vertx vertx, DbConfig config) {
    return PgBuilder.pool()
        .with(poolOptions(config.poolSize()))
        .connectingTo(connectOptions(config))
        .using(vertx)
        .build();
  }

  /**
   * Options of every calsync pool: size connections, up to 100,000 requests waiting, and no acquisition timeout. In
   * vertx-sql-client 5.0.7 an acquisition timeout that fires as a connection is handed to the waiter loses that
   * connection for good (an unhandled "Promise already completed"; eclipse-vertx/vertx-sql-client e2908866, fixed in
   * 5.0.8): under a long overload the pool would shrink to nothing. A request waits for a connection instead; work
   * that must not wait for ever has its own deadline (job leases, the API's request timeout, health-check timeouts).
   */
  public static PoolOptions poolOptions(int size) {
    return new PoolOptions().setMaxSize(size).setMaxWaitQueueSize(100_000).setConnectionTimeout(0);
  }

  public static String jdbcUrl(PgConnectOptions o) {
    return "jdbc:postgresql://" + o.getHost() + ":" + o.getPort() + "/" + o.getDatabase();
  }

  /** How many migrations of classpath:db/migration are not applied yet (doctor); applies none. */
  public static Future<Integer> pendingMigrations(Vertx vertx, DbConfig config) {
    PgConnectOptions o = connectOptions(config);
    return vertx.executeBlocking(() -> Flyway.configure()
        .dataSource(jdbcUrl(o), o.getUser(), o.getPassword())
        .locations("classpath:db/migration")
        .load()
        .info()
        .pending().length, false);
  }

  /** Applies pending migrations from classpath:db/migration. */
  public static Future<Integer> migrate(Vertx vertx, DbConfig config) {
    PgConnectOptions o = connectOptions(config);
    return vertx.executeBlocking(() -> Flyway.configure()
        .dataSource(jdbcUrl(o), o.getUser(), o.getPassword())
        .locations("classpath:db/migration")
        .load()
        .migrate()
        .migrationsExecuted, false);
  }
}
