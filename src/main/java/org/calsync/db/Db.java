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
        .with(new PoolOptions().setMaxSize(config.poolSize())
            .setMaxWaitQueueSize(100_000))
        .connectingTo(connectOptions(config))
        .using(vertx)
        .build();
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
