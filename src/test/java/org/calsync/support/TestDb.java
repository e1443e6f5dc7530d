package org.calsync.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.calsync.demo.EmbeddedDb;

/**
 * A fresh, empty database per call on a real PostgreSQL: the server named by $CALSYNC_TEST_PG (a postgresql:// URL of
 * a database the user may CREATE DATABASE from; default postgresql://postgres@127.0.0.1:5432/postgres), or, when that
 * server does not answer, an embedded one started once for the whole test run.
 */
public final class TestDb {
  private static String adminUrl;

  private TestDb() {
  }

  /** postgresql:// URL of a new database. */
  public static synchronized String freshDatabase() {
    if (adminUrl == null) adminUrl = pickServer();
    String name = "calsync_t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    exec(adminUrl, "CREATE DATABASE " + name);
    return adminUrl.substring(0, adminUrl.lastIndexOf('/') + 1) + name;
  }

  /** Runs SQL over JDBC (test setup and tampering only; the code under test uses the reactive client). */
  public static void exec(String url, String sql) {
    try (Connection c = DriverManager.getConnection(jdbc(url)); Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  public static String jdbc(String url) {
    // postgresql://user@host:port/db -> jdbc:postgresql://host:port/db?user=user
    String rest = url.substring(url.indexOf("://") + 3);
    String user = rest.contains("@") ? rest.substring(0, rest.indexOf('@')) : "postgres";
    String hostDb = rest.contains("@") ? rest.substring(rest.indexOf('@') + 1) : rest;
    return "jdbc:postgresql://" + hostDb + "?user=" + user;
  }

  private static String pickServer() {
    String configured = System.getenv().getOrDefault("CALSYNC_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres");
    try (Connection c = DriverManager.getConnection(jdbc(configured))) {
      return configured;
    } catch (SQLException e) {
      System.err.println("test PostgreSQL " + configured + " not reachable (" + e.getMessage() + "); starting an embedded one");
      EmbeddedDb db = EmbeddedDb.start();
      Runtime.getRuntime().addShutdownHook(new Thread(db::close));
      return db.url();
    }
  }
}
