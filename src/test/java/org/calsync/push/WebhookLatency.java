package org.calsync.push;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.calsync.App;
import org.calsync.support.Harness;

/**
 * Manual measurement (not a test): webhook acknowledgement latency for accepted "exists" notifications (channel
 * lookup, job upsert, message number, 200) against the real PostgreSQL, spread over many integrations.
 * Run: java -cp target/classes:target/test-classes:$(cat cp.txt) org.calsync.push.WebhookLatency [notifications] [concurrency]
 */
public final class WebhookLatency {
  public static void main(String[] args) throws Exception {
    int total = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
    int concurrency = args.length > 1 ? Integer.parseInt(args[1]) : 1;
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (Harness h = new Harness()) {
      h.config = h.config(new JsonObject()
          .put("push", new JsonObject().put("enabled", true).put("webhookUrl", "http://127.0.0.1:" + port + "/webhooks/google")
              .put("listenPort", port).put("debounceMs", 600_000).put("checkSeconds", 3600)));
      h.start(new App.Parts(false, false, true));
      int channels = 200;
      h.connectSeeded(channels, 1);
      for (long i = 1; i <= channels; i++) {
        h.query("INSERT INTO calendars (integration_id, google_calendar_id) VALUES ($1, $2)", i, "cal-" + i);
      }
      h.query("INSERT INTO push_channels (id, calendar_id, resource_id, token_hash, expires_at) "
          + "SELECT 'bench-' || id, id, 'res', $1, now() + interval '1 day' FROM calendars", Buffer.buffer(org.calsync.crypto.Secrets.sha256("tok")));
      WebClient web = WebClient.create(h.vertx);
      long[] lat = new long[total];
      long[] number = new long[channels + 1];
      long started = System.nanoTime();
      int[] next = {0};
      List<Future<Void>> workers = new ArrayList<>();
      for (int w = 0; w < concurrency; w++) workers.add(loop(web, port, total, next, lat, number, channels));
      Future.all(workers).await();
      double seconds = (System.nanoTime() - started) / 1e9;
      Arrays.sort(lat);
      System.out.printf("notifications=%d concurrency=%d throughput=%.0f/s p50=%.2fms p99=%.2fms max=%.2fms jobs=%d%n", total,
          concurrency, total / seconds, lat[total / 2] / 1e6, lat[(int) (total * 0.99)] / 1e6, lat[total - 1] / 1e6,
          h.count("SELECT count(*) FROM jobs"));
      web.close();
    }
    System.exit(0);
  }

  private static Future<Void> loop(WebClient web, int port, int total, int[] next, long[] lat, long[] number, int channels) {
    int i;
    synchronized (next) {
      if (next[0] >= total) return Future.succeededFuture();
      i = next[0]++;
    }
    int ch = 1 + i % channels;
    long n;
    synchronized (number) {
      n = ++number[ch] + 1;
    }
    long t0 = System.nanoTime();
    return web.post(port, "127.0.0.1", "/webhooks/google").putHeader("X-Goog-Channel-ID", "bench-" + ch)
        .putHeader("X-Goog-Channel-Token", "tok").putHeader("X-Goog-Resource-ID", "res")
        .putHeader("X-Goog-Resource-State", "exists").putHeader("X-Goog-Message-Number", Long.toString(n))
        .send().compose(resp -> {
          lat[i] = System.nanoTime() - t0;
          if (resp.statusCode() != 200) return Future.failedFuture("status " + resp.statusCode());
          return loop(web, port, total, next, lat, number, channels);
        });
  }
}
