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
import java.util.function.IntFunction;

/**
 * Manual throughput check (not a test) against seeded users: events.list incremental with no change (empty page),
 * then a full first page (250 events, the default page size).
 * Run: java -cp target/classes:target/test-classes:$(cat cp.txt) org.calsync.emulator.EmulatorThroughput [seconds] [concurrency]
 */
public final class EmulatorThroughput {
  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int concurrency = args.length > 1 ? Integer.parseInt(args[1]) : 64;
    int users = 1000;
    int probed = 100;
    // emulator and load generator on separate event loops, as when the daemon runs against it
    Vertx server = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    GoogleEmulator emu = GoogleEmulator.start(server, EmulatorOptions.defaults()).await(10, TimeUnit.SECONDS);
    // users 1..probed get a full first page; users probed+1..2*probed answer the incremental calls
    List<SeededUser> full = emu.state().seed(probed, 250);
    List<SeededUser> seeded = emu.state().seed(users, 5);
    WebClient client = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true).setTcpNoDelay(true),
      new PoolOptions().setHttp1MaxSize(concurrency));
    String events = emu.baseUrl() + "/calendar/v3/calendars/primary/events";
    List<String> tokens = new ArrayList<>();
    List<String> syncs = new ArrayList<>();
    for (SeededUser u : seeded.subList(probed, 2 * probed)) {
      String access = accessToken(client, emu.baseUrl(), u);
      tokens.add(access);
      syncs.add(client.getAbs(events).bearerTokenAuthentication(access)
        .send().await(5, TimeUnit.SECONDS).bodyAsJsonObject().getString("nextSyncToken"));
    }
    List<String> fullTokens = new ArrayList<>();
    for (SeededUser u : full) fullTokens.add(accessToken(client, emu.baseUrl(), u));
    int pageSize = client.getAbs(events).bearerTokenAuthentication(fullTokens.get(0)).send().await(5, TimeUnit.SECONDS)
      .bodyAsJsonObject().getJsonArray("items").size();
    if (pageSize != 250) throw new IllegalStateException("first page has " + pageSize + " items, expected 250");

    IntFunction<HttpRequest<Buffer>> incremental = i -> client.getAbs(events)
      .bearerTokenAuthentication(tokens.get(i % tokens.size())).addQueryParam("syncToken", syncs.get(i % syncs.size()));
    IntFunction<HttpRequest<Buffer>> firstPage = i -> client.getAbs(events)
      .bearerTokenAuthentication(fullTokens.get(i % fullTokens.size()));
    run(vertx, incremental, 3, concurrency, null); // warm-up
    run(vertx, incremental, seconds, concurrency, "events.list incremental no-change");
    run(vertx, firstPage, 3, concurrency, null);
    run(vertx, firstPage, seconds, concurrency, "events.list full first page (250 events)");
    client.close();
    emu.close().await(5, TimeUnit.SECONDS);
    vertx.close().await(5, TimeUnit.SECONDS);
    server.close().await(5, TimeUnit.SECONDS);
  }

  private static String accessToken(WebClient client, String base, SeededUser u) throws Exception {
    return client.postAbs(base + "/token").sendForm(MultiMap.caseInsensitiveMultiMap()
        .add("grant_type", "refresh_token").add("client_id", "calsync-local").add("client_secret", "calsync-local-secret")
        .add("refresh_token", u.refreshToken())).await(5, TimeUnit.SECONDS).bodyAsJsonObject().getString("access_token");
  }

  /** Runs {@code concurrency} request loops for {@code seconds}; prints the rate unless {@code label} is null. */
  private static void run(Vertx vertx, IntFunction<HttpRequest<Buffer>> request, int seconds, int concurrency,
                          String label) throws InterruptedException {
    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    CountDownLatch done = new CountDownLatch(concurrency);
    for (int w = 0; w < concurrency; w++) {
      int worker = w;
      vertx.runOnContext(v -> loop(request, worker, concurrency, end, ok, failed, done));
    }
    long t0 = System.nanoTime();
    done.await();
    double secs = (System.nanoTime() - t0) / 1e9;
    if (label != null) {
      System.out.printf("%s: %d ok, %d failed in %.1f s = %.0f req/s (concurrency %d)%n",
        label, ok.get(), failed.get(), secs, ok.get() / secs, concurrency);
    }
  }

  /** Worker {@code i % step}: sends request i, then i + step, ... until {@code end}. */
  private static void loop(IntFunction<HttpRequest<Buffer>> request, int i, int step, long end,
                           AtomicLong ok, AtomicLong failed, CountDownLatch done) {
    if (System.nanoTime() > end) {
      done.countDown();
      return;
    }
    request.apply(i).send().onComplete(ar -> {
      if (ar.succeeded() && ar.result().statusCode() == 200) ok.incrementAndGet();
      else failed.incrementAndGet();
      loop(request, i + step, step, end, ok, failed, done);
    });
  }
}
