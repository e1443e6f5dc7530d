package org.calsync.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.calsync.App;
import org.calsync.emulator.EmulatorOptions;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.calsync.support.Harnesses;
import org.calsync.support.PgProxy;
import org.calsync.support.TestDb;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The webhook has its own listener: the ops endpoints are not reachable there, it can serve HTTPS from PEM files, and
 * forged notifications cost no database query each and only a bounded number of audit records.
 */
@ExtendWith(HarnessExtension.class)
class WebhookListenerTest {
  private Harness h;
  private WebClient web;

  @AfterEach
  void tearDown() {
    if (web != null) web.close();
  }

  @Test
  void aForgedStormCostsNoQueryPerRequestAndFewAuditRecords(Harnesses worlds) {
    String db = TestDb.freshDatabase();
    PgProxy proxy = PgProxy.start(db);
    worlds.closeWith(proxy);
    int port = Harness.freePort();
    h = worlds.open(EmulatorOptions.defaults(), proxy.url(db));
    h.configure(new JsonObject()
        .put("sync", new JsonObject().put("pollMs", 2000))
        .put("push", new JsonObject().put("enabled", true).put("webhookUrl", "http://127.0.0.1:" + port + "/webhooks/google")
            .put("listenPort", port).put("checkSeconds", 3600).put("debounceMs", 100)));
    h.start(new App.Parts(true, false, true));
    // an unknown id is answered after the next channel refresh (at most one a second): many at once, like a flood
    web = WebClient.create(h.vertx, new WebClientOptions(), new PoolOptions().setHttp1MaxSize(200));
    h.connectSeeded(1, 3);
    h.runCycle();
    Harness.await("a live channel", () -> h.count("SELECT count(*) FROM push_channels WHERE stopped_at IS NULL "
        + "AND resource_id IS NOT NULL") == 1);
    Row ch = h.query("SELECT id, resource_id FROM push_channels").get(0);
    String id = ch.getString(0);
    String resource = ch.getString(1);

    int n = 1000;
    long queries0 = proxy.queries();
    List<Future<Integer>> unknown = new ArrayList<>();
    List<Future<Integer>> forged = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      unknown.add(post(port, UUID.randomUUID().toString(), resource, "tok", i + 2));
      forged.add(post(port, id, resource, "forged-" + i, i + 2));
    }
    Future.join(new ArrayList<Future<?>>(unknown)).await();
    Future.join(new ArrayList<Future<?>>(forged)).await();
    long queries = proxy.queries() - queries0;

    assertThat(unknown.stream().map(Future::result).distinct().toList()).containsExactly(404);
    assertThat(forged.stream().map(Future::result).distinct().toList()).containsExactly(401);
    System.out.printf("webhook storm: %d unknown-channel and %d forged-token POSTs, %d database queries meanwhile%n", n, n, queries);
    assertThat(queries).as("database queries during %d forged POSTs", 2 * n).isLessThan(100);
    assertThat(count("forged")).isEqualTo(n);
    assertThat(count("unknown_channel")).isEqualTo(n);
    Harness.await("the forgery audited", () -> refusals() >= 1);
    assertThat(refusals()).as("audit records for %d forgeries on one channel (one a minute)", n).isBetween(1L, 2L);
    assertThat(h.count("SELECT count(*) FROM jobs")).isZero();

    // the ops endpoints are not on the webhook listener, and stay on the ops one
    for (String path : new String[] {"/metrics", "/health", "/ready"}) {
      assertThat(web.get(port, "127.0.0.1", path).send().await().statusCode()).as(path).isEqualTo(404);
      assertThat(web.get(h.app.httpPort(), "127.0.0.1", path).send().await().statusCode()).as(path).isEqualTo(200);
    }
    assertThat(web.post(h.app.httpPort(), "127.0.0.1", "/webhooks/google").send().await().statusCode())
        .as("no webhook on the ops listener").isEqualTo(404);
  }

  @Test
  void theListenerServesHttpsFromPemFiles(Harness harness) {
    SelfSignedCertificate cert = SelfSignedCertificate.create("localhost");
    int port = Harness.freePort();
    h = harness.configure(new JsonObject().put("push", new JsonObject().put("enabled", true)
        .put("webhookUrl", "https://localhost:" + port + "/webhooks/google").put("listenPort", port)
        .put("tlsCertFile", cert.certificatePath()).put("tlsKeyFile", cert.privateKeyPath())));
    h.start(new App.Parts(false, false, true));
    web = WebClient.create(h.vertx, new WebClientOptions().setSsl(true).setTrustAll(true).setVerifyHost(false));

    assertThat(post(port, UUID.randomUUID().toString(), "res", "tok", 2).await()).as("unknown channel over https").isEqualTo(404);
    assertThat(web.post(port, "127.0.0.1", "/webhooks/google").send().await().statusCode()).as("no headers").isEqualTo(400);
    WebClient plain = WebClient.create(h.vertx, new WebClientOptions().setConnectTimeout(5000).setIdleTimeout(5));
    try {
      assertThatThrownBy(() -> plain.post(port, "127.0.0.1", "/webhooks/google").send().await()).as("plain http refused");
    } finally {
      plain.close();
    }
  }

  private Future<Integer> post(int port, String channel, String resource, String token, long number) {
    HttpRequest<Buffer> req = web.post(port, "127.0.0.1", "/webhooks/google").putHeader("X-Goog-Channel-ID", channel)
        .putHeader("X-Goog-Resource-ID", resource).putHeader("X-Goog-Resource-State", "exists")
        .putHeader("X-Goog-Message-Number", Long.toString(number));
    if (token != null) req.putHeader("X-Goog-Channel-Token", token);
    return req.send().map(r -> r.statusCode());
  }

  private long refusals() {
    return h.count("SELECT count(*) FROM audit_log WHERE action = 'push.webhook_refused'");
  }

  private double count(String outcome) {
    Counter c = h.runtime.registry().find("calsync.push.notifications").tag("outcome", outcome).counter();
    return c == null ? 0 : c.count();
  }
}
