package org.calsync.emulator;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Assembles the emulator's routes: stats, body parsing, bearer auth with the method's OAuth scopes and the
 * {@code fields} parameter for /calendar/v3,
 * fault injection, the OAuth, Calendar and admin endpoints, and Google-shaped error rendering.
 */
final class EmulatorRouter {
  private static final Logger LOG = LoggerFactory.getLogger(EmulatorRouter.class);
  private static final String API = "/calendar/v3/";

  private EmulatorRouter() {}

  static Router create(Vertx vertx, EmulatorState state) {
    Router router = Router.router(vertx);
    Stats stats = state.stats();
    // Google accepts POST + X-HTTP-Method-Override (used by clients whose transport cannot send PATCH)
    router.post().handler(ctx -> {
      String override = ctx.request().getHeader("X-HTTP-Method-Override");
      if (override != null && !ctx.request().path().startsWith("/admin/")) {
        ctx.reroute(HttpMethod.valueOf(override.toUpperCase(java.util.Locale.ROOT)), ctx.request().uri());
      } else {
        ctx.next();
      }
    });
    router.route().handler(ctx -> {
      long received = System.currentTimeMillis();
      ctx.addHeadersEndHandler(v -> {
        stats.request(ctx.request().method().name() + " " + operation(ctx) + " " + ctx.response().getStatusCode(), received);
        if (ctx.response().headers().contains(HttpHeaders.CONTENT_ENCODING, "gzip", true)) stats.compressed();
      });
      ctx.next();
    });
    router.route().method(HttpMethod.POST).method(HttpMethod.PUT).method(HttpMethod.PATCH)
      .handler(BodyHandler.create(false).setBodyLimit(2 * 1024 * 1024));
    router.route(API + "*").handler(ctx -> {
      String h = ctx.request().getHeader("Authorization");
      if (h == null || h.isBlank()) {
        Http.error(ctx, GoogleErrors.loginRequired());
        return;
      }
      EmulatorState.AccessToken token = h.length() > 7 && h.regionMatches(true, 0, "Bearer ", 0, 7)
        ? state.authenticate(h.substring(7).trim(), System.currentTimeMillis()) : null;
      if (token == null) {
        Http.error(ctx, GoogleErrors.authError());
        return;
      }
      // each method accepts the scopes the discovery document lists for it (e.g. calendar.readonly cannot write)
      ApiSchemas.Method m = method(ctx);
      if (m != null && !m.allows(token.scopes())) {
        ctx.response().putHeader("WWW-Authenticate", Http.insufficientScopeChallenge(m.scopes()));
        Http.error(ctx, GoogleErrors.insufficientScopes(m.id()));
        return;
      }
      ctx.put(Http.USER, token.email());
      ctx.next();
    });
    router.route(API + "*").handler(EmulatorRouter::fields);
    FaultInjector faults = state.faultInjector();
    router.route().handler(ctx -> {
      String path = ctx.request().path();
      FaultInjector.Decision next = faults.scripted(path);
      if (next != null) {
        apply(ctx, next, stats);
        return;
      }
      if (!faults.applies(path)) {
        ctx.next();
        return;
      }
      FaultInjector.Decision d = faults.decide(Http.user(ctx), System.currentTimeMillis());
      if (d.delayMs() > 0) vertx.setTimer(d.delayMs(), id -> apply(ctx, d, stats));
      else apply(ctx, d, stats);
    });
    new TokenEndpoint(state).mount(router);
    new AuthorizationEndpoint(state).mount(router);
    new CalendarsApi(state).mount(router);
    new EventsApi(state).mount(router);
    new AdminApi(state).mount(router);

    router.route().failureHandler(EmulatorRouter::failure);
    router.errorHandler(404, ctx -> {
      if (ctx.request().path().startsWith("/calendar/v3/") || ctx.request().path().startsWith("/admin/")) {
        Http.error(ctx, GoogleErrors.notFound());
      } else {
        ctx.response().setStatusCode(404).putHeader("content-type", "text/html; charset=UTF-8").end("Not Found");
      }
    });
    router.errorHandler(405, ctx -> {
      if (ctx.request().path().startsWith("/calendar/v3/") || ctx.request().path().startsWith("/admin/")) {
        Http.error(ctx, GoogleErrors.notFound());
      } else {
        ctx.response().setStatusCode(404).putHeader("content-type", "text/html; charset=UTF-8").end("Not Found");
      }
    });
    return router;
  }

  private static void apply(RoutingContext ctx, FaultInjector.Decision d, Stats stats) {
    if (d.reset()) {
      stats.request(ctx.request().method().name() + " " + operation(ctx) + " 0", System.currentTimeMillis());
      ctx.request().connection().close();
      return;
    }
    if (d.error() != null) {
      if (d.retryAfter() != null) ctx.put(Http.RETRY_AFTER, d.retryAfter());
      Http.error(ctx, d.error());
      return;
    }
    if (d.malformed()) ctx.put(Http.MALFORMED, Boolean.TRUE);
    ctx.next();
  }

  private static void failure(RoutingContext ctx) {
    Throwable f = ctx.failure();
    if (ctx.response().ended()) return;
    if (f instanceof ApiError e) {
      Http.error(ctx, e);
      return;
    }
    int code = ctx.statusCode();
    if (f == null && code == 413) {
      Http.error(ctx, new ApiError(413, "global", "uploadTooLarge", "Request Entity Too Large"));
      return;
    }
    if (f == null && code >= 400 && code < 500) {
      Http.error(ctx, code == 404 ? GoogleErrors.notFound() : GoogleErrors.badRequest());
      return;
    }
    LOG.warn("unexpected failure on {} {}", ctx.request().method(), ctx.request().path(), f);
    Http.error(ctx, GoogleErrors.backendError(500));
  }

  /** Parses the standard {@code fields} parameter against the method's response schema (400 when invalid). */
  private static void fields(RoutingContext ctx) {
    String fields = ctx.request().getParam("fields");
    ApiSchemas.Method m = method(ctx);
    if (fields != null && !fields.isEmpty() && m != null && m.response() != null) {
      ctx.put(Http.FIELDS, FieldSelection.parse(fields, ApiSchemas.get(), m.response()));
    }
    ctx.next();
  }

  private static ApiSchemas.Method method(RoutingContext ctx) {
    String p = ctx.request().path();
    return p.startsWith(API) ? ApiSchemas.get().method(ctx.request().method().name(), p.substring(API.length())) : null;
  }

  /** Short operation name for stats keys: the discovery method id (e.g. "events.list") for the Calendar API. */
  static String operation(RoutingContext ctx) {
    String p = ctx.request().path();
    if (p.equals("/token")) return "oauth.token";
    if (p.equals("/revoke")) return "oauth.revoke";
    if (p.equals(AuthorizationEndpoint.PATH)) return "oauth.authorize";
    if (p.equals(AuthorizationEndpoint.CERTS)) return "oauth.certs";
    if (p.startsWith("/admin/")) return "admin";
    ApiSchemas.Method m = method(ctx);
    return m == null ? "other" : m.id();
  }

  static JsonObject describe(String baseUrl) {
    return new JsonObject().put("calendar", baseUrl + "/calendar/v3/").put("token", baseUrl + "/token")
      .put("revoke", baseUrl + "/revoke").put("authorize", baseUrl + AuthorizationEndpoint.PATH)
      .put("certs", baseUrl + AuthorizationEndpoint.CERTS).put("admin", baseUrl + "/admin/");
  }
}
