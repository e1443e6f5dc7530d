package org.calsync.bench;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import org.calsync.App;
import org.calsync.db.Notices;
import org.calsync.support.Harness;
import org.calsync.support.TestDb;
import org.calsync.support.WebhookReceiver;

/**
 * Notice delivery to a webhook (not a test), through the real relay and webhook sender against PostgreSQL and a
 * receiver over real HTTP on its own Vert.x instance:
 * <ol>
 *   <li>latency: one notice at a time, from the commit of its transaction (as seen by the appending code) to its
 *       receipt by the webhook; p50/p90/p99/max;</li>
 *   <li>throughput: 10,000 pending notices (appended while no sender runs), then a daemon starts and drains them;
 *       notices/s from its start to the last one marked delivered, at notices.concurrency 8 and 32.</li>
 * </ol>
 * Run with {@code ./run.sh bench-notices [latencyNotices=1000] [pending=10000]}. The database is dropped at the end.
 */
public final class NoticeBench {
  private NoticeBench() {
  }

  public static void main(String[] args) throws Exception {
    int latencyN = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int pending = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
    Vertx receiverVertx = Vertx.vertx();
    WebhookReceiver receiver = WebhookReceiver.start(receiverVertx);
    Harness h = new Harness();
    String secret = WebhookReceiver.newSecret();
    try {
      start(h, receiver, secret, 8);
      latency(h, receiver, latencyN);
      for (int concurrency : new int[] {8, 32}) {
        h.app.close().await();
        h.app = null;
        h.configure(new JsonObject()).start(new App.Parts(true, false, false)); // no webhook: the notices stay pending
        long from = h.longValue("SELECT COALESCE(max(id), 0) FROM notices");
        TestDb.exec(h.dbUrl, "INSERT INTO notices (type, integration_id, user_id, payload) SELECT 'integration.status', g, g, "
            + "jsonb_build_object('integrationId', g, 'userId', g, 'status', 'needs_reconnect', 'reason', 'bench', "
            + "'at', now()) FROM generate_series(1, " + pending + ") g");
        TestDb.exec(h.dbUrl, "ANALYZE notices");
        h.app.close().await();
        h.app = null;
        receiver.received.clear();
        long t0 = System.nanoTime();
        start(h, receiver, secret, concurrency);
        Harness.await("drained", 600, () -> h.count("SELECT count(*) FROM notices WHERE id > $1 AND status = 'pending'",
            from) == 0);
        double seconds = (System.nanoTime() - t0) / 1e9;
        long delivered = h.count("SELECT count(*) FROM notices WHERE id > $1 AND status = 'delivered'", from);
        System.out.printf("throughput   %,d pending notices drained at concurrency %d in %.2f s: %,.0f notices/s "
                + "(%,d delivered, %,d requests received)%n", pending, concurrency, seconds, pending / seconds, delivered,
            receiver.received.size());
      }
    } finally {
      h.close();
      receiver.close();
      receiverVertx.close().await();
      String admin = h.dbUrl.substring(0, h.dbUrl.lastIndexOf('/') + 1) + "postgres";
      TestDb.exec(admin, "DROP DATABASE IF EXISTS " + h.dbUrl.substring(h.dbUrl.lastIndexOf('/') + 1) + " WITH (FORCE)");
    }
  }

  private static void start(Harness h, WebhookReceiver receiver, String secret, int concurrency) {
    h.configure(new JsonObject().put("notices", new JsonObject().put("webhookUrl", receiver.url())
        .put("concurrency", concurrency)));
    h.config = h.config.withNotices(h.config.notices().withWebhookSecret(secret));
    h.start(new App.Parts(true, false, false));
  }

  /** Sequential appends; each waits for its receipt. Latency: commit seen by the appender to receipt. */
  private static void latency(Harness h, WebhookReceiver receiver, int n) {
    long[] nanos = new long[n];
    for (int i = -100; i < n; i++) { // 100 warm-up notices
      Promise<Long> committed = Promise.promise();
      long[] at = new long[1];
      h.pool().withTransaction(conn -> Notices.appendStatus(conn, 1, 1, "active", "bench"))
          .onSuccess(id -> at[0] = System.nanoTime()).onComplete(committed);
      long id = committed.future().await();
      Harness.await("received", 60, () -> !receiver.of(id).isEmpty());
      if (i >= 0) nanos[i] = Math.max(0, receiver.of(id).get(0).receivedAtNanos() - at[0]);
    }
    Arrays.sort(nanos);
    System.out.printf("latency      n=%,d commit -> webhook receipt  p50=%.2f ms  p90=%.2f ms  p99=%.2f ms  max=%.2f ms%n",
        n, ms(nanos, 0.50), ms(nanos, 0.90), ms(nanos, 0.99), nanos[n - 1] / 1e6);
  }

  private static double ms(long[] sorted, double q) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
  }
}
