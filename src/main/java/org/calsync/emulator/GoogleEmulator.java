package org.calsync.emulator;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;

/**
 * Local emulator of the Google Calendar API v3 and Google's OAuth token endpoints, for development, tests and
 * benchmarks. Calendar API under {@code baseUrl() + "/calendar/v3/"}, OAuth at {@code /token} and {@code /revoke},
 * control plane under {@code /admin/} (see ADMIN-API.md).
 */
public final class GoogleEmulator {
  private final EmulatorState state;
  private final HttpServer server;
  private final String host;

  private GoogleEmulator(EmulatorState state, HttpServer server, String host) {
    this.state = state;
    this.server = server;
    this.host = host;
  }

  /** Binds {@code options.host()}:{@code options.port()} (port 0 = a free port). */
  public static Future<GoogleEmulator> start(Vertx vertx, EmulatorOptions options) {
    EmulatorState state = new EmulatorState(vertx, options);
    Router router = EmulatorRouter.create(vertx, state);
    HttpServerOptions so = new HttpServerOptions().setHost(options.host()).setPort(options.port())
      .setTcpNoDelay(true).setIdleTimeout(120).setCompressionSupported(false)
      .setDecompressionSupported(true); // Google clients gzip request bodies
    return vertx.createHttpServer(so).requestHandler(router).listen()
      .map(s -> new GoogleEmulator(state, s, options.host()));
  }

  public int port() { return server.actualPort(); }

  public String baseUrl() { return "http://" + host + ":" + port(); }

  public EmulatorState state() { return state; }

  public Future<Void> close() {
    state.mutationDriver().stop();
    state.notifier().close();
    return server.close();
  }
}
