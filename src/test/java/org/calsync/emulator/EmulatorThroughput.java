package org.calsync.emulator;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Manual throughput check (not a test): incremental no-change events.list against seeded users.
 * Run: java -cp target/classes:target/test-classes:$(cat cp.txt) org.calsync.emulator.EmulatorThroughput [seconds] [concurrency]
 */
public final class EmulatorThroughput {
  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int concurrency = args.length > 1 ? Integer.parseInt(args[1]) : 64;
    int users = 1000;
    // emulator and load generator on separate event loops, as when the daemon runs against it
    Vertx server = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    GoogleEmulator emu = GoogleEmulator.start(server, EmulatorOptions.defaults()).await(10, TimeUnit.SECONDS);
    List<SeededUser> seeded = emu.state().seed(users, 5);
    WebClient client = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true).setTcpNoDelay(true),
      new PoolOptions().setHttp1MaxSize(concurrency));
    List<String> tokens = new ArrayList<>();
    List<String> syncs = new ArrayList<>();
    for (SeededUser u : seeded.subList(0, 100)) {
      String access = client.postAbs(emu.baseUrl() + "/token").sendForm(MultiMap.caseInsensitiveMultiMap()
          .add("grant_type", "refresh_token").add("client_id", "calsync-local").add("client_secret", "calsync-local-secret")
          .add("refresh_token", u.refreshToken())).await(5, TimeUnit.SECONDS).bodyAsJsonObject().getString("access_token");
      tokens.add(access);
      syncs.add(client.getAbs(emu.baseUrl() + "/calendar/v3/calendars/primary/events").bearerTokenAuthentication(access)
        .send().await(5, TimeUnit.SECONDS).bodyAsJsonObject().getString("nextSyncToken"));
    }
    run(vertx, client, emu.baseUrl(), tokens, syncs, 3, concurrency); // warm-up
    run(vertx, client, emu.baseUrl(), tokens, syncs, seconds, concurrency);
    client.close();
    emu.close().await(5, TimeUnit.SECONDS);
    vertx.close().await(5, TimeUnit.SECONDS);
    server.close().await(5, TimeUnit.SECONDS);
  }

  private static void run(Vertx vertx, WebClient client, String base, List<String> tokens, List<String> syncs,
                          int seconds, int concurrency) throws InterruptedException {
    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    CountDownLatch done = new CountDownLatch(concurrency);
    for (int w = 0; w < concurrency; w++) {
      int worker = w;
      vertx.runOnContext(v -> loop(client, base, tokens, syncs, worker, end, ok, failed, done));
    }
    long t0 = System.nanoTime();
    done.await();
    double secs = (System.nanoTime() - t0) / 1e9;
    System.out.printf("events.list incremental no-change: %d ok, %d failed in %.1f s = %.0f req/s (concurrency %d)%n",
      ok.get(), failed.get(), secs, ok.get() / secs, concurrency);
  }

  private static void loop(WebClient client, String base, List<String> tokens, List<String> syncs, int i, long end,
                           AtomicLong ok, AtomicLong failed, CountDownLatch done) {
    if (System.nanoTime() > end) {
      done.countDown();
      return;
    }
    int u = i % tokens.size();
    HttpRequest<Buffer> r = client.getAbs(base + "/calendar/v3/calendars/primary/events")
      .bearerTokenAuthentication(tokens.get(u)).addQueryParam("syncToken", syncs.get(u));
    r.send().onComplete(ar -> {
      if (ar.succeeded() && ar.result().statusCode() == 200) ok.incrementAndGet();
      else failed.incrementAndGet();
      loop(client, base, tokens, syncs, i + 64, end, ok, failed, done);
    });
  }
}
