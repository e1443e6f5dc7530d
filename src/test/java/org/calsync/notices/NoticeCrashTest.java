package org.calsync.notices;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.calsync.App;
import org.calsync.api.ApiKeys;
import org.calsync.config.NoticesConfig;
import org.calsync.support.DaemonProcess;
import org.calsync.support.Harness;
import org.calsync.support.HarnessExtension;
import org.calsync.support.WebhookReceiver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * kill -9 between a change and the delivery of its notice loses nothing: a daemon process disconnects an integration
 * (through the EMR API), starts pushing the notice to a webhook that takes it but never answers, and is killed; the
 * notice is still pending, and once a daemon is back it is delivered (at least once, same id, signed).
 */
@ExtendWith(HarnessExtension.class)
class NoticeCrashTest {
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void aNoticeSurvivesAKill9OfTheProcessThatMadeTheChange(Harness h) throws Exception {
    h.start(new App.Parts(false, false, false)); // this JVM: database and emulator only, no relay
    long integration = h.connectSeeded(1, 2).values().iterator().next();
    String key = new ApiKeys(h.pool()).create("emr", "write").await().key();
    WebhookReceiver receiver = WebhookReceiver.start(h.vertx);
    receiver.hold = true;
    String secret = WebhookReceiver.newSecret();
    int apiPort = freePort();
    JsonObject cfg = h.configJson(new JsonObject()
        .put("api", new JsonObject().put("port", apiPort))
        .put("scheduler", new JsonObject().put("enabled", false))
        .put("notices", new JsonObject().put("webhookUrl", receiver.url()).put("timeoutMs", 2000).put("pollMs", 200)));
    Path dir = Files.createTempDirectory("calsync-notices");

    DaemonProcess first = new DaemonProcess(dir, "first", cfg, h.keys).env(NoticesConfig.SECRET_ENV, secret).start();
    try {
      Harness.await("the first daemon's API", () -> status(apiPort, "GET", "/v1/openapi.json", null) == 200);
      assertThat(status(apiPort, "POST", "/v1/integrations/" + integration + "/disconnect", key)).isEqualTo(200);
      long id = h.longValue("SELECT id FROM notices WHERE type = 'integration.status' AND payload->>'status' = 'disconnected'");
      Harness.await("the webhook holds the notice", () -> !receiver.of(id).isEmpty());
      first.kill9();
      assertThat(h.query("SELECT status FROM notices WHERE id = $1", id).get(0).getString(0)).isEqualTo("pending");
      assertThat(receiver.of(id)).allMatch(r -> r.answered() == 0);

      receiver.hold = false;
      DaemonProcess second = new DaemonProcess(dir, "second", cfg, h.keys).env(NoticesConfig.SECRET_ENV, secret).start();
      try {
        Harness.await("delivered once the daemon is back", 90,
            () -> h.count("SELECT count(*) FROM notices WHERE id = $1 AND status = 'delivered'", id) == 1);
        WebhookReceiver.Received answered = receiver.of(id).stream().filter(r -> r.answered() == 200).findFirst().orElseThrow();
        assertThat(WebhookReceiver.verify(secret, answered)).isTrue();
        assertThat(new JsonObject(answered.body()).getJsonObject("data").getString("status")).isEqualTo("disconnected");
      } finally {
        second.close();
      }
    } finally {
      first.close();
      receiver.close();
    }
  }

  private int status(int port, String method, String path, String key) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(60))
        .method(method, HttpRequest.BodyPublishers.noBody());
    if (key != null) b.header("Authorization", "Bearer " + key);
    try {
      return http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (java.io.IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private static int freePort() throws java.io.IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
