package org.calsync.support;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * An EMR's webhook endpoint for tests and the benchmark: a real HTTP server recording every POST with its Standard
 * Webhooks headers. It answers {@link #status} (200 by default), or, while {@link #hold} is set, never answers.
 */
public final class WebhookReceiver implements AutoCloseable {
  /** One request as received; receivedAtNanos from System.nanoTime(). */
  public record Received(String id, String timestamp, String signature, String body, int answered, long receivedAtNanos) {
  }

  public final List<Received> received = new CopyOnWriteArrayList<>();
  public volatile int status = 200;
  public volatile boolean hold;
  private final HttpServer server;

  private WebhookReceiver(Vertx vertx) {
    server = vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1").await();
  }

  public static WebhookReceiver start(Vertx vertx) {
    return new WebhookReceiver(vertx);
  }

  public String url() {
    return "http://127.0.0.1:" + server.actualPort() + "/calsync/notices";
  }

  private void handle(HttpServerRequest req) {
    req.body().onSuccess(body -> {
      long at = System.nanoTime();
      boolean held = hold;
      int answer = held ? 0 : status;
      received.add(new Received(req.getHeader("webhook-id"), req.getHeader("webhook-timestamp"),
          req.getHeader("webhook-signature"), body.toString(StandardCharsets.UTF_8), answer, at));
      if (!held) req.response().setStatusCode(answer).end();
    });
  }

  /** Requests carrying the given notice id. */
  public List<Received> of(long noticeId) {
    return received.stream().filter(r -> String.valueOf(noticeId).equals(r.id())).toList();
  }

  /**
   * Verifies a request as an EMR would, independently of calsync's code: HMAC-SHA256 keyed with the base64 part of
   * the whsec_ secret over "id.timestamp.body", base64, compared with each "v1,..." entry of the header.
   */
  public static boolean verify(String secret, Received r) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
      String expected = Base64.getEncoder().encodeToString(
          mac.doFinal((r.id() + "." + r.timestamp() + "." + r.body()).getBytes(StandardCharsets.UTF_8)));
      for (String s : r.signature().split(" ")) {
        if (s.startsWith("v1,") && java.security.MessageDigest.isEqual(s.substring(3).getBytes(StandardCharsets.UTF_8),
            expected.getBytes(StandardCharsets.UTF_8))) {
          return true;
        }
      }
      return false;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A fresh whsec_ secret. */
  public static String newSecret() {
    byte[] key = new byte[32];
    new java.security.SecureRandom().nextBytes(key);
    return "whsec_" + Base64.getEncoder().encodeToString(key);
  }

  @Override
  public void close() {
    server.close().await();
  }
}
