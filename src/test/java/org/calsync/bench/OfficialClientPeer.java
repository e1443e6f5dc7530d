package org.calsync.bench;

import com.google.api.client.googleapis.json.GoogleJsonResponseException;
import com.google.api.client.http.HttpTransport;
import com.google.api.client.http.javanet.NetHttpTransport;
import com.google.api.client.json.gson.GsonFactory;
import com.google.api.client.util.DateTime;
import com.google.api.services.calendar.Calendar;
import com.google.api.services.calendar.model.Event;
import com.google.api.services.calendar.model.EventDateTime;
import com.google.api.services.calendar.model.Events;
import com.google.auth.http.HttpCredentialsAdapter;
import com.google.auth.oauth2.UserCredentials;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.calsync.emulator.SeededUser;

/**
 * The peer a user would write instead of calsync: Google's official Java client (google-api-services-calendar with
 * google-auth-library UserCredentials), one blocking sync per integration on a fixed thread pool, results written
 * with JDBC through a HikariCP pool (no connection held while Google is called). Per integration: read its sync token,
 * events.list with it (all pages), then one transaction: upsert changed events (one batch), delete cancelled ones,
 * store the new token and last_sync_at.
 */
final class OfficialClientPeer implements AutoCloseable {
  /** What one cycle did. */
  record Cycle(long synced, long failed, long changedEvents, String firstError) {
  }

  private static final String UPSERT = "INSERT INTO bench_peer_events (integration_id, google_event_id, status, transparency, "
      + "start_at, end_at, all_day, etag, google_updated, synced_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, now()) "
      + "ON CONFLICT (integration_id, google_event_id) DO UPDATE SET status = EXCLUDED.status, "
      + "transparency = EXCLUDED.transparency, start_at = EXCLUDED.start_at, end_at = EXCLUDED.end_at, "
      + "all_day = EXCLUDED.all_day, etag = EXCLUDED.etag, google_updated = EXCLUDED.google_updated, synced_at = now()";

  private final String jdbcUrl;
  private final int threads;
  private final int pageSize;
  private final ExecutorService pool;
  private final HikariDataSource db;
  private final Calendar[] clients;

  /** threads: the sync thread pool; connections: the HikariCP pool size. */
  OfficialClientPeer(String jdbcUrl, String emulatorUrl, List<SeededUser> users, int threads, int connections, int pageSize) {
    this.jdbcUrl = jdbcUrl;
    this.threads = threads;
    this.pageSize = pageSize;
    this.pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "peer-" + System.nanoTime());
      t.setDaemon(true);
      return t;
    });
    createSchema();
    HikariConfig hc = new HikariConfig();
    hc.setJdbcUrl(jdbcUrl);
    hc.setMaximumPoolSize(connections);
    hc.setMinimumIdle(connections);
    hc.setAutoCommit(false);
    hc.setConnectionTimeout(600_000);
    hc.setPoolName("bench-peer");
    hc.addDataSourceProperty("reWriteBatchedInserts", "true"); // a batch of upserts becomes multi-row statements
    this.db = new HikariDataSource(hc);
    HttpTransport transport = new NetHttpTransport();
    clients = new Calendar[users.size()];
    for (int i = 0; i < users.size(); i++) {
      UserCredentials creds = UserCredentials.newBuilder().setClientId("calsync-local").setClientSecret("calsync-local-secret")
          .setRefreshToken(users.get(i).refreshToken()).setTokenServerUri(URI.create(emulatorUrl + "/token")).build();
      clients[i] = new Calendar.Builder(transport, GsonFactory.getDefaultInstance(), new HttpCredentialsAdapter(creds))
          .setRootUrl(emulatorUrl + "/").setServicePath("calendar/v3/").setApplicationName("bench-peer").build();
    }
  }

  private void createSchema() {
    try (Connection c = DriverManager.getConnection(jdbcUrl); Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS bench_peer_events, bench_peer_calendars");
      s.execute("CREATE TABLE bench_peer_calendars (integration_id bigint PRIMARY KEY, sync_token text, "
          + "last_full_sync_at timestamptz, last_sync_at timestamptz)");
      s.execute("CREATE TABLE bench_peer_events (integration_id bigint NOT NULL, google_event_id text NOT NULL, "
          + "status text NOT NULL, transparency text NOT NULL, start_at timestamptz, end_at timestamptz, all_day boolean NOT NULL, "
          + "etag text, google_updated timestamptz, synced_at timestamptz NOT NULL, PRIMARY KEY (integration_id, google_event_id))");
    } catch (SQLException e) {
      throw new IllegalStateException("peer schema: " + e.getMessage(), e);
    }
  }

  /** Full sync when full is true (no token), else incremental with each integration's stored token. */
  Cycle cycle(boolean full) {
    AtomicLong synced = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicLong changed = new AtomicLong();
    AtomicReference<String> firstError = new AtomicReference<>();
    List<Future<?>> all = new ArrayList<>(clients.length);
    for (int i = 0; i < clients.length; i++) {
      int id = i + 1;
      Calendar client = clients[i];
      all.add(pool.submit(() -> {
        try {
          changed.addAndGet(syncOne(id, client, full));
          synced.incrementAndGet();
        } catch (Exception e) {
          failed.incrementAndGet();
          firstError.compareAndSet(null, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
      }));
    }
    for (Future<?> f : all) {
      try {
        f.get();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    return new Cycle(synced.get(), failed.get(), changed.get(), firstError.get());
  }

  private long syncOne(long id, Calendar client, boolean full) throws Exception {
    String token = null;
    if (!full) {
      try (Connection c = db.getConnection();
           PreparedStatement ps = c.prepareStatement("SELECT sync_token FROM bench_peer_calendars WHERE integration_id = ?")) {
        ps.setLong(1, id);
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) token = rs.getString(1);
        }
        c.commit();
      }
    }
    List<Event> items = new ArrayList<>();
    String pageToken = null;
    Events page;
    try {
      do {
        Calendar.Events.List list = client.events().list("primary").setMaxResults(pageSize).setPageToken(pageToken);
        if (token != null) list.setSyncToken(token);
        page = list.execute();
        if (page.getItems() != null) items.addAll(page.getItems());
        pageToken = page.getNextPageToken();
      } while (pageToken != null);
    } catch (GoogleJsonResponseException e) {
      if (e.getStatusCode() == 410 && token != null) return syncOne(id, client, true);
      throw e;
    }
    try (Connection c = db.getConnection()) {
      return write(c, id, items, page.getNextSyncToken(), full);
    }
  }

  private long write(Connection c, long id, List<Event> items, String nextSyncToken, boolean full) throws SQLException {
    try (PreparedStatement up = c.prepareStatement(UPSERT);
         PreparedStatement del = c.prepareStatement("DELETE FROM bench_peer_events WHERE integration_id = ? AND google_event_id = ?");
         PreparedStatement tok = c.prepareStatement("INSERT INTO bench_peer_calendars (integration_id, sync_token, last_full_sync_at, "
             + "last_sync_at) VALUES (?, ?, CASE WHEN ? THEN now() END, now()) ON CONFLICT (integration_id) DO UPDATE SET "
             + "sync_token = EXCLUDED.sync_token, last_sync_at = now(), "
             + "last_full_sync_at = COALESCE(EXCLUDED.last_full_sync_at, bench_peer_calendars.last_full_sync_at)")) {
      int ups = 0;
      int dels = 0;
      for (Event e : items) {
        if ("cancelled".equals(e.getStatus())) {
          del.setLong(1, id);
          del.setString(2, e.getId());
          del.addBatch();
          dels++;
        } else {
          up.setLong(1, id);
          up.setString(2, e.getId());
          up.setString(3, e.getStatus() == null ? "confirmed" : e.getStatus());
          up.setString(4, e.getTransparency() == null ? "opaque" : e.getTransparency());
          up.setTimestamp(5, time(e.getStart()));
          up.setTimestamp(6, time(e.getEnd()));
          up.setBoolean(7, e.getStart() != null && e.getStart().getDate() != null);
          up.setString(8, e.getEtag());
          up.setTimestamp(9, e.getUpdated() == null ? null : new Timestamp(e.getUpdated().getValue()));
          up.addBatch();
          ups++;
        }
      }
      if (ups > 0) up.executeBatch();
      if (dels > 0) del.executeBatch();
      tok.setLong(1, id);
      tok.setString(2, nextSyncToken);
      tok.setBoolean(3, full);
      tok.executeUpdate();
      c.commit();
      return ups + dels;
    } catch (SQLException e) {
      c.rollback();
      throw e;
    }
  }

  private static Timestamp time(EventDateTime t) {
    if (t == null) return null;
    DateTime d = t.getDateTime() != null ? t.getDateTime() : t.getDate();
    return d == null ? null : new Timestamp(d.getValue());
  }

  long rows() {
    try (Connection c = DriverManager.getConnection(jdbcUrl); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT count(*) FROM bench_peer_events")) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  int threads() {
    return threads;
  }

  @Override
  public void close() {
    pool.shutdownNow();
    db.close();
  }
}
