package org.calsync.token;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.sqlclient.Pool;
import org.calsync.bus.Addresses;
import org.calsync.bus.Messages;
import org.calsync.bus.Requests.ConnectLink;
import org.calsync.config.CalsyncConfig;
import org.calsync.google.Google;
import org.calsync.google.GoogleConsent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deployed with consent.enabled: serves {@link Addresses#CONNECT_LINK_CREATE} and, on its own public listener
 * (consent.listenHost:listenPort, reached by browsers at consent.publicBaseUrl), {@code GET /connect/{token}} and
 * {@code GET /connect/callback} ({@link ConsentFlow}). Nothing else is served there: the API and ops listeners stay
 * internal.
 */
public final class ConsentVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(ConsentVerticle.class);

  private final CalsyncConfig config;
  private final Pool pool;
  private final CredentialCipher cipher;
  private final Google google;
  private HttpServer server;

  public ConsentVerticle(CalsyncConfig config, Pool pool, CredentialCipher cipher, Google google) {
    this.config = config;
    this.pool = pool;
    this.cipher = cipher;
    this.google = google;
  }

  @Override
  public Future<?> start() {
    ConsentFlow flow = new ConsentFlow(vertx, config.consent(), pool, cipher, google,
        new GoogleConsent(vertx, config.google(), config.consent()));
    Router router = Router.router(vertx);
    router.get("/connect/callback").handler(flow::callback);
    router.get("/connect/:token").handler(flow::open);
    var c = config.consent();
    return Future.join(
        vertx.eventBus().consumer(Addresses.CONNECT_LINK_CREATE, msg -> Messages.serve(msg, ConnectLink::parse, flow::createLink))
            .completion(),
        vertx.createHttpServer(new HttpServerOptions().setHost(c.listenHost()).setPort(c.listenPort()))
            .requestHandler(router).listen()
            .onSuccess(s -> {
              server = s;
              log.info("consent pages listening on http://{}:{}/connect/ (public as {})", c.listenHost(), s.actualPort(),
                  c.publicBaseUrl());
            })
            .recover(e -> Future.failedFuture(new IllegalStateException("consent listener on " + c.listenHost() + ":"
                + c.listenPort() + " (consent.listenHost/consent.listenPort) did not start: " + e.getMessage()))));
  }

  /** The consent listener's port (once deployed). */
  public int port() {
    return server == null ? -1 : server.actualPort();
  }
}
