package org.calsync.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The PostgreSQL limit: single-row-update transactions per second on this database, from `clients` concurrent JDBC
 * connections (autocommit) doing UPDATE bench_pg_limit SET n = n + 1 WHERE id = ? on random rows of a 10,000-row
 * table for the given time.
 */
final class PgLimit {
  private PgLimit() {
  }

  static double transactionsPerSecond(String jdbcUrl, int clients, double seconds) {
    try (Connection c = DriverManager.getConnection(jdbcUrl); Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS bench_pg_limit");
      s.execute("CREATE TABLE bench_pg_limit (id int PRIMARY KEY, n bigint NOT NULL DEFAULT 0)");
      s.execute("INSERT INTO bench_pg_limit (id) SELECT generate_series(1, 10000)");
      s.execute("VACUUM ANALYZE bench_pg_limit");
    } catch (SQLException e) {
      throw new IllegalStateException("pg limit table: " + e.getMessage(), e);
    }
    AtomicLong done = new AtomicLong();
    CountDownLatch ready = new CountDownLatch(clients);
    CountDownLatch go = new CountDownLatch(1);
    long[] window = new long[2];
    List<Thread> threads = new ArrayList<>();
    List<Throwable> errors = new ArrayList<>();
    for (int t = 0; t < clients; t++) {
      int seed = t;
      Thread th = new Thread(() -> {
        try (Connection c = DriverManager.getConnection(jdbcUrl);
             PreparedStatement ps = c.prepareStatement("UPDATE bench_pg_limit SET n = n + 1 WHERE id = ?")) {
          SplittableRandom r = new SplittableRandom(seed);
          ps.setInt(1, 1);
          ps.executeUpdate();
          ready.countDown();
          go.await();
          long end = window[1];
          long n = 0;
          while (System.nanoTime() < end) {
            ps.setInt(1, 1 + r.nextInt(10_000));
            ps.executeUpdate();
            n++;
          }
          done.addAndGet(n);
        } catch (Exception e) {
          synchronized (errors) {
            errors.add(e);
          }
          ready.countDown();
        }
      }, "pg-limit-" + t);
      th.setDaemon(true);
      threads.add(th);
      th.start();
    }
    try {
      ready.await();
      window[0] = System.nanoTime();
      window[1] = window[0] + (long) (seconds * 1e9);
      go.countDown();
      for (Thread th : threads) th.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    if (!errors.isEmpty()) throw new IllegalStateException("pg limit client failed: " + errors.get(0).getMessage(), errors.get(0));
    double elapsed = (System.nanoTime() - window[0]) / 1e9;
    return done.get() / elapsed;
  }
}
