package org.calsync.token;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import org.calsync.bus.Addresses;
import org.calsync.bus.BusFailure;
import org.calsync.bus.Requests.ConnectLink;
import org.calsync.config.ConsentConfig;
import org.calsync.db.JobQueue;
import org.calsync.google.Google;
import org.calsync.google.GoogleConsent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.calsync.crypto.Secrets;

/**
 * The consent flow behind a connect link. {@code GET /connect/{token}} opens the link once and redirects to Google
 * (state bound to the link, PKCE S256); {@code GET /connect/callback} redeems the state once, exchanges the code,
 * checks the ID token (GoogleConsent) and the granted scopes, stores the grant through {@link Connections} (audited in
 * its transaction; a reconnect must come from the same Google account), queues a manual-priority sync (whose calendar
 * discovery comes first), and ends at the link's return URL with {@code calsync_status} (or an HTML page without one):
 * connected, read_only (no write access granted: write-back off), denied, no_calendar_access, wrong_account, expired,
 * used (link opened before), replayed (callback state redeemed before), unknown, failed. Every ending but connected
 * and read_only changes no integration; a grant that is not stored is revoked at Google.
 */
final class ConsentFlow {
  private static final Logger log = LoggerFactory.getLogger(ConsentFlow.class);

  private final Vertx vertx;
  private final ConsentConfig config;
  private final Pool pool;
  private final CredentialCipher cipher;
  private final Google google;
  private final GoogleConsent consent;
  private final Connections connections;

  ConsentFlow(Vertx vertx, ConsentConfig config, Pool pool, CredentialCipher cipher, Google google, GoogleConsent consent) {
    this.vertx = vertx;
    this.config = config;
    this.pool = pool;
    this.cipher = cipher;
    this.google = google;
    this.consent = consent;
    this.connections = new Connections(vertx, pool, cipher, "consent");
  }

  /** {@link Addresses#CONNECT_LINK_CREATE}. */
  Future<JsonObject> createLink(ConnectLink r) {
    if (r.returnUrl() != null && !config.allowsReturnUrl(r.returnUrl())) {
      return Future.failedFuture(BusFailure.badRequest("field 'returnUrl' is not allowed: it must start with an entry of "
          + "consent.returnUrlAllowList (or, when that is empty, have the origin of consent.publicBaseUrl)"));
    }
    return ConnectLinks.create(pool, r.userId(), r.integrationId(), r.loginHint(), r.returnUrl(), config.linkTtl())
        .map(c -> {
          JsonObject reply = new JsonObject().put("linkId", c.id()).put("url", config.publicBaseUrl() + "/connect/" + c.token())
              .put("expiresAt", c.expiresAt().toInstant().toString()).put("userId", r.userId());
          if (r.integrationId() != null) reply.put("integrationId", r.integrationId());
          return reply;
        })
        .recover(err -> Future.failedFuture(err instanceof BusFailure ? err
            : BusFailure.unavailable("connect link not created: " + err.getMessage())));
  }

  /** GET /connect/{token}. */
  void open(RoutingContext ctx) {
    String token = ctx.pathParam("token");
    if (token == null || !token.matches("[A-Za-z0-9_-]{43}")) {
      end(ctx, null, "unknown", null);
      return;
    }
    String state = Secrets.randomToken();
    String verifier = Secrets.randomToken();
    ConnectLinks.find(pool, token).compose(id -> {
      if (id == null) return Future.succeededFuture(new ConnectLinks.Opened(0, 0, null, null, null, "unknown"));
      byte[] sealed = cipher.seal(-id, new JsonObject().put("verifier", verifier));
      return ConnectLinks.open(pool, id, state, sealed, cipher.activeKeyId());
    }).onSuccess(o -> {
      if (o.refusal() != null) {
        end(ctx, o.returnUrl(), o.refusal(), null);
        return;
      }
      log.atInfo().setMessage("connect link opened").addKeyValue("link", o.id()).addKeyValue("user", o.userId()).log();
      ctx.response().setStatusCode(302).putHeader("Cache-Control", "no-store").putHeader("Referrer-Policy", "no-referrer")
          .putHeader("Location", consent.authorizeUrl(config.callbackUrl(), state, Secrets.pkceChallenge(verifier), o.loginHint())).end();
    }).onFailure(err -> failed(ctx, null, 0, "the link could not be opened: " + err.getMessage()));
  }

  /** GET /connect/callback. */
  void callback(RoutingContext ctx) {
    String state = ctx.request().getParam("state");
    if (state == null || state.isBlank() || state.length() > 100) {
      end(ctx, null, "unknown", null);
      return;
    }
    ConnectLinks.redeem(pool, state).onSuccess(link -> {
      if (link.refusal() != null) {
        end(ctx, link.returnUrl(), link.refusal(), null);
        return;
      }
      String error = ctx.request().getParam("error");
      String code = ctx.request().getParam("code");
      if (error != null || code == null) {
        String outcome = "access_denied".equals(error) ? "denied" : "failed";
        ConnectLinks.finish(pool, link.id(), outcome).onComplete(v -> end(ctx, link.returnUrl(), outcome, null));
        return;
      }
      String verifier;
      try {
        verifier = cipher.open(-link.id(), link.keyId(), link.verifier()).getString("verifier");
      } catch (RuntimeException e) {
        failed(ctx, link.returnUrl(), link.id(), "the link's PKCE verifier could not be read (was its key removed?)");
        return;
      }
      consent.exchange(code, config.callbackUrl(), verifier)
          .onSuccess(grant -> store(ctx, link, grant))
          .onFailure(err -> failed(ctx, link.returnUrl(), link.id(), err.getMessage()));
    }).onFailure(err -> failed(ctx, null, 0, "the callback could not be checked: " + err.getMessage()));
  }

  private void store(RoutingContext ctx, ConnectLinks.Redeemed link, GoogleConsent.Grant grant) {
    if (!grant.canRead()) {
      refuse(ctx, link, grant, "no_calendar_access");
      return;
    }
    if (grant.refreshToken() == null) {
      revoke(grant.accessToken());
      failed(ctx, link.returnUrl(), link.id(), "Google returned no refresh token");
      return;
    }
    // an address Google has not verified names no account (a reconnect then matches by sub only)
    Connections.Grant g = new Connections.Grant(grant.refreshToken(), grant.sub(), grant.emailVerified() ? grant.email() : null,
        grant.scope(), grant.canWrite());
    Future<Long> stored = link.integrationId() == null
        ? connections.connect(link.userId(), g).compose(id -> new JobQueue(pool)
            .enqueue(id, JobQueue.PRIORITY_MANUAL, OffsetDateTime.now()).map(id))
        : connections.reconnect(link.integrationId(), g).map(link.integrationId());
    stored.onSuccess(id -> {
      vertx.eventBus().publish(Addresses.JOBS_AVAILABLE, new JsonObject());
      String outcome = g.writeBack() ? "connected" : "read_only";
      log.atInfo().setMessage("consent stored").addKeyValue("link", link.id()).addKeyValue("integration", id)
          .addKeyValue("outcome", outcome).log();
      ConnectLinks.finish(pool, link.id(), outcome).onComplete(v -> end(ctx, link.returnUrl(), outcome, id));
    }).onFailure(err -> {
      if (err instanceof Connections.WrongAccount) {
        refuse(ctx, link, grant, "wrong_account");
      } else {
        revoke(grant.refreshToken());
        failed(ctx, link.returnUrl(), link.id(), err.getMessage());
      }
    });
  }

  /** Ends without storing the grant (and revokes it: nobody will use it). */
  private void refuse(RoutingContext ctx, ConnectLinks.Redeemed link, GoogleConsent.Grant grant, String outcome) {
    revoke(grant.refreshToken() != null ? grant.refreshToken() : grant.accessToken());
    log.atInfo().setMessage("consent refused").addKeyValue("link", link.id()).addKeyValue("outcome", outcome).log();
    ConnectLinks.finish(pool, link.id(), outcome).onComplete(v -> end(ctx, link.returnUrl(), outcome, null));
  }

  private void revoke(String token) {
    if (token != null) google.oauth().revoke(token).onFailure(e -> log.warn("revoking an unused grant failed: {}", e.getMessage()));
  }

  private void failed(RoutingContext ctx, String returnUrl, long linkId, String why) {
    log.atWarn().setMessage("consent failed").addKeyValue("link", linkId).addKeyValue("error", why).log();
    Future<Void> f = linkId > 0 ? ConnectLinks.finish(pool, linkId, "failed") : Future.succeededFuture();
    f.onComplete(v -> end(ctx, returnUrl, "failed", null));
  }

  /** Redirects to the return URL with the outcome, or shows a page saying it. */
  private static void end(RoutingContext ctx, String returnUrl, String outcome, Long integrationId) {
    ctx.response().putHeader("Cache-Control", "no-store").putHeader("Referrer-Policy", "no-referrer");
    if (returnUrl != null) {
      String location = returnUrl + (returnUrl.contains("?") ? "&" : "?") + "calsync_status=" + outcome
          + (integrationId == null ? "" : "&integration_id=" + integrationId);
      ctx.response().setStatusCode(302).putHeader("Location", location).end();
      return;
    }
    ConsentPages.Page p = ConsentPages.of(outcome);
    ctx.response().setStatusCode(p.status()).putHeader("Content-Type", "text/html; charset=UTF-8").end(p.html());
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
