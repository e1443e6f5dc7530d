package org.calsync.demo;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.calsync.bus.Addresses;
import org.calsync.emulator.GoogleEmulator;

/**
 * The demo's practitioners who connect themselves: for each, a connect link (calsync.connect.link.create), then the
 * browser's part driven with an HTTP client (the link, Google's consent screen, the callback, the return URL). Then one
 * of them revokes the grant at Google: the next refresh moves the integration to needs_reconnect, its notice carries a
 * reconnect link, and following it reconnects.
 */
final class ConsentDemo {
  private final Vertx vertx;
  private final Pool pool;
  private final GoogleEmulator emulator;
  private final String publicBaseUrl;
  private final PrintStream out;
  private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

  ConsentDemo(Vertx vertx, Pool pool, GoogleEmulator emulator, String publicBaseUrl, PrintStream out) {
    this.vertx = vertx;
    this.pool = pool;
    this.emulator = emulator;
    this.publicBaseUrl = publicBaseUrl;
    this.out = out;
  }

  /** Connects each email (user ids from firstUserId on) through the consent flow; returns how many ended connected. */
  int connect(List<String> emails, long firstUserId) throws IOException, InterruptedException {
    int connected = 0;
    for (int i = 0; i < emails.size(); i++) {
      JsonObject link = (JsonObject) vertx.eventBus().request(Addresses.CONNECT_LINK_CREATE, new JsonObject()
          .put("userId", firstUserId + i).put("loginHint", emails.get(i)).put("returnUrl", publicBaseUrl + "/demo/connected"))
          .await().body();
      String end = follow(link.getString("url"));
      if (end.contains("calsync_status=connected")) connected++;
      else out.println("consent for " + emails.get(i) + " ended at " + end);
    }
    return connected;
  }

  /**
   * Revokes the practitioner's grant at Google, lets the token verticle find out, and follows the reconnect link of the
   * needs_reconnect notice. True when the integration is active again.
   */
  boolean reconnectAfterRevoke(String email) throws IOException, InterruptedException {
    Row row = pool.preparedQuery("SELECT id FROM user_integrations WHERE account_email = $1 AND google_sub IS NOT NULL")
        .execute(Tuple.of(email)).await().iterator().next();
    long id = row.getLong(0);
    emulator.state().revokeUser(email);
    try {
      vertx.eventBus().request(Addresses.TOKEN_GET, new JsonObject().put("integrationId", id).put("force", true)).await();
    } catch (ReplyException e) {
      out.printf("%s revoked calsync's access at Google: integration %d %s%n", email, id,
          e.failureCode() == 409 ? "needs a reconnect" : "failed: " + e.getMessage());
    }
    var notice = pool.preparedQuery("SELECT payload->>'reconnectUrl' FROM notices WHERE integration_id = $1 "
        + "AND payload->>'status' = 'needs_reconnect' ORDER BY id DESC LIMIT 1").execute(Tuple.of(id)).await();
    if (notice.size() == 0 || notice.iterator().next().getString(0) == null) {
      out.println("no reconnect link in the needs_reconnect notice");
      return false;
    }
    String url = notice.iterator().next().getString(0);
    out.println("the needs_reconnect notice carries a reconnect link; the practitioner follows it");
    String end = follow(url);
    String status = pool.preparedQuery("SELECT status FROM user_integrations WHERE id = $1").execute(Tuple.of(id)).await()
        .iterator().next().getString(0);
    out.printf("reconnect of integration %d: %s (integration %s)%n", id, end, status);
    return "active".equals(status);
  }

  /** Follows redirects like a browser until the return URL (not fetched) or a final page; returns where it ended. */
  private String follow(String url) throws IOException, InterruptedException {
    for (int hop = 0; hop < 5; hop++) {
      if (url.startsWith(publicBaseUrl + "/demo/")) return url.substring(url.indexOf('?') + 1);
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 302) {
        String title = r.body().replaceAll("(?s).*<h1>(.*?)</h1>.*", "$1");
        return "page " + r.statusCode() + " \"" + title + "\"";
      }
      url = r.headers().firstValue("Location").orElseThrow();
    }
    return "too many redirects";
  }
}
