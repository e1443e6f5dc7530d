package org.calsync.api;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.sqlclient.Pool;
import org.calsync.config.ApiConfig;
import org.calsync.config.CalsyncConfig;

/**
 * The EMR-facing HTTP API on its own listener (section "api"): the routes of the OpenAPI 3.1 contract
 * {@link ApiContract} (served at /v1/openapi.json), requests validated against it by Vert.x's OpenAPI router, bodies
 * limited to api.bodyLimitBytes (413) and to arrive within api.bodyTimeoutSeconds (408, {@link BodyDeadline}), query
 * parameters, charset and Accept checked ({@link RequestChecks}), idle connections closed after
 * api.idleTimeoutSeconds, every operation but the contract behind an API key ({@link KeyCheck}), errors
 * as problem details ({@link Problems}). HTTPS when api.tlsCertFile/api.tlsKeyFile are set.
 */
public final class ApiVerticle extends VerticleBase {
  private final CalsyncConfig config;
  private final Pool pool;
  private HttpServer server;

  public ApiVerticle(CalsyncConfig config, Pool pool) {
    this.config = config;
    this.pool = pool;
  }

  @Override
  public Future<?> start() {
    ApiConfig api = config.api();
    return ApiContract.load(vertx).compose(loaded -> {
      OpenAPIContract contract = loaded.validated();
      ApiAudit audit = new ApiAudit(vertx);
      RouterBuilder builder = RouterBuilder.create(vertx, contract, RequestExtractor.withBodyHandler())
          .rootHandler(new BodyDeadline(api.bodyTimeoutSeconds() * 1000L))
          .rootHandler(new RequestChecks(contract))
          .rootHandler(BodyHandler.create(false).setBodyLimit(api.bodyLimitBytes()))
          .rootHandler(new KeyCheck(contract, new ApiKeys(pool), audit, new KeyCache(api.keyCacheSeconds())));
      new Routes(vertx, config, pool, audit).mount(builder, loaded.served());
      Router router = builder.createRouter();
      router.route().last().handler(ctx -> ctx.fail(404));
      for (int status : new int[] {400, 404, 405, 413, 500}) router.errorHandler(status, ctx -> Problems.fromFailure(ctx, ctx.failure()));
      HttpServerOptions options = new HttpServerOptions().setIdleTimeout(api.idleTimeoutSeconds())
          .setHttp2ClearTextEnabled(false); // HTTP/1.1 only, as over TLS (no ALPN);
      if (api.tls()) {
        options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions().setCertPath(api.tlsCertFile()).setKeyPath(api.tlsKeyFile()));
      }
      return vertx.createHttpServer(options).requestHandler(router).listen(api.port(), api.host());
    }).onSuccess(s -> server = s);
  }

  public int port() {
    return server.actualPort();
  }
}
