package org.calsync.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntFunction;
import org.calsync.App;
import org.calsync.api.ApiKeys;
import org.calsync.bus.Addresses;
import org.calsync.support.Harness;
import org.calsync.support.TestDb;

/**
 * Conflict checks over the EMR API against the event bus, same data (not a test): fills 1,000,000 busy blocks
 * ({@link ConflictBench#fill}), then sends GET /v1/conflicts at a constant rate (open model, {@link OpenLoad}: latency
 * from each request's intended send time) from a pool of keep-alive HTTP/1.1 connections (all opened before the run),
 * and the same checks at the same rate straight to calsync.booking.conflicts. The client runs in its own Vert.x
 * instance in the same JVM, so it shares the machine's cores with the daemon and PostgreSQL. Each HTTP request is
 * started on that instance's event loop (not on the scheduling thread) and fails after {@link #REQUEST_TIMEOUT_MS}
 * without an answer (Vert.x's client does not always fail a request whose keep-alive connection the server closes
 * as it is sent), so a lost answer is counted and reported as a failure instead of stalling the run.
 *
 * <pre>./run.sh bench-api [rate=500] [seconds=60] [connections=64] [calendars=2000] [blocksPerCalendar=500]</pre>
 */
public final class ApiBench {
  /** Longer than the API's own bound on a conflict check (the bus timeout, 30 s plus booking.freshTimeoutMs). */
  static final long REQUEST_TIMEOUT_MS = 60_000;

  private ApiBench() {
  }

  public static void main(String[] args) throws Exception {
    int rate = arg(args, 0, 500);
    int seconds = arg(args, 1, 60);
    int connections = arg(args, 2, 64);
    int calendars = arg(args, 3, 2000);
    int perCalendar = arg(args, 4, 500);
    Harness h = new Harness();
    h.config = h.config(new JsonObject().put("booking", new JsonObject().put("sweepSeconds", 3600))
        .put("db", new JsonObject().put("poolSize", 8)).put("api", new JsonObject().put("port", 0)));
    h.start(new App.Parts(true, false, true));
    Vertx clientVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    try {
      long t0 = System.nanoTime();
      ConflictBench.fill(h.dbUrl, calendars, perCalendar);
      System.out.printf("filled %,d busy blocks over %,d calendars in %.1f s; %d cores%n", h.count("SELECT count(*) FROM busy_blocks"),
          calendars, (System.nanoTime() - t0) / 1e9, Runtime.getRuntime().availableProcessors());
      String key = new ApiKeys(h.pool()).create("bench", ApiKeys.READ).await().key();
      HttpClientAgent http = clientVertx.createHttpClient(new HttpClientOptions().setKeepAlive(true)
              .setDefaultHost("127.0.0.1").setDefaultPort(h.app.apiPort()),
          new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1));
      Instant base = Instant.now().truncatedTo(ChronoUnit.HOURS);
      SplittableRandom rnd = new SplittableRandom(7); // used by the scheduling thread only (queries are made there)
      Context client = clientVertx.getOrCreateContext();
      IntFunction<Future<?>> overHttp = i -> {
        JsonObject q = query(rnd, base, calendars);
        String uri = "/v1/conflicts?integrationId=" + q.getLong("integrationId") + "&start=" + q.getString("start")
            + "&end=" + q.getString("end");
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setURI(uri)
            .putHeader("Authorization", "Bearer " + key).setIdleTimeout(REQUEST_TIMEOUT_MS);
        Promise<Buffer> answer = Promise.promise();
        client.runOnContext(v -> {
          long timer = clientVertx.setTimer(REQUEST_TIMEOUT_MS, t -> answer.tryFail("no answer within " + REQUEST_TIMEOUT_MS + " ms"));
          http.request(options).compose(req -> req.send()).compose(resp -> resp.body().compose(body -> resp.statusCode() == 200
                  ? Future.succeededFuture(body) : Future.<Buffer>failedFuture(resp.statusCode() + " " + body)))
              .onComplete(ar -> {
                clientVertx.cancelTimer(timer);
                if (ar.succeeded()) answer.tryComplete(ar.result());
                else answer.tryFail(ar.cause());
              });
        });
        return answer.future();
      };
      IntFunction<Future<?>> overBus = i -> h.vertx.eventBus().request(Addresses.BOOKING_CONFLICTS, query(rnd, base, calendars));

      // open every connection of the pool (connections requests at once), then warm up both paths
      List<Future<?>> opening = new ArrayList<>();
      for (int i = 0; i < connections; i++) opening.add(overHttp.apply(i));
      Future.all(opening).await();
      System.out.println(OpenLoad.run(rate * 10, rate, overHttp).line("warm-up HTTP @" + rate + "/s"));
      System.out.println(OpenLoad.run(rate * 10, rate, overBus).line("warm-up event bus @" + rate + "/s"));
      int n = rate * seconds;
      System.out.println(OpenLoad.run(n, rate, overBus).line("event bus @" + rate + "/s"));
      System.out.println(OpenLoad.run(n, rate, overHttp).line("HTTP @" + rate + "/s x" + connections + " conn"));
      System.out.println(OpenLoad.run(n, rate, overBus).line("event bus @" + rate + "/s (again)"));
      System.out.println(OpenLoad.run(n, rate, overHttp).line("HTTP @" + rate + "/s (again)"));
    } finally {
      clientVertx.close().await();
      h.close();
      String admin = h.dbUrl.substring(0, h.dbUrl.lastIndexOf('/') + 1) + "postgres";
      TestDb.exec(admin, "DROP DATABASE IF EXISTS " + h.dbUrl.substring(h.dbUrl.lastIndexOf('/') + 1) + " WITH (FORCE)");
    }
  }

  /** A random practitioner and a random 30-60 minute slot within 180 days (as ConflictBench). */
  private static JsonObject query(SplittableRandom rnd, Instant base, int calendars) {
    Instant start = base.plus(rnd.nextInt(180 * 24 * 4) * 15L, ChronoUnit.MINUTES);
    Instant end = start.plus(30 + rnd.nextInt(31), ChronoUnit.MINUTES);
    return new JsonObject().put("integrationId", 1 + rnd.nextInt(calendars)).put("start", start.toString()).put("end", end.toString());
  }

  private static int arg(String[] args, int i, int def) {
    return args.length > i ? Integer.parseInt(args[i]) : def;
  }
}
