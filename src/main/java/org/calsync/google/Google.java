package org.calsync.google;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.Map;
import org.calsync.config.GoogleConfig;

/**
 * The one door to Google for a process: a single WebClient (google.maxConnections connections per Google host,
 * google.requestTimeoutMs), the project throttle (sync.projectRequestsPerMinute, at most google.maxConnections calls
 * in flight), the {@link RetryPolicy}, and the call meters ({@link GoogleMetrics}). Calendar API calls go through
 * {@link #call}; the OAuth token and revoke endpoints through {@link #oauth}. A configured google.serviceAccountKeyFile is
 * read and checked when it is created (a ConfigException naming the key stops the start). Created by the composition root and
 * shared by every verticle (the WebClient delivers responses on the caller's context); closed after they are
 * undeployed.
 */
public final class Google {
  /**
   * Sent on every call to Google. Google compresses responses only for a User-Agent containing "gzip" (with
   * Accept-Encoding: gzip, sent because the client decompresses): listings are JSON that shrinks several-fold.
   */
  public static final String USER_AGENT = "calsync/0.1 (gzip)";
  /** The User-Agent of requests whose answers are usually too small to gain from compression. */
  static final String PLAIN_USER_AGENT = "calsync/0.1";

  private final Vertx vertx;
  private final GoogleConfig config;
  private final WebClient client;
  private final GoogleThrottle throttle;
  private final GoogleMetrics metrics;
  private final CalendarClient calendar;
  private final OAuthClient oauth;
  private final AccessTokens accessTokens;
  private final RetryPolicy policy = RetryPolicy.defaults();
  private final ServiceAccountKey serviceAccount;

  public Google(Vertx vertx, GoogleConfig config, int requestsPerMinute, MeterRegistry registry) {
    this(vertx, config, new GoogleThrottle(vertx, config.maxConnections(), requestsPerMinute), registry);
  }

  /** With a given throttle (tests use one with a hand-moved clock). */
  public Google(Vertx vertx, GoogleConfig config, GoogleThrottle throttle, MeterRegistry registry) {
    this.serviceAccount = config.serviceAccountKeyFile().isEmpty() ? null
        : ServiceAccountKey.load(java.nio.file.Path.of(config.serviceAccountKeyFile()));
    this.vertx = vertx;
    this.config = config;
    this.client = WebClient.create(vertx, new WebClientOptions()
            .setUserAgent(USER_AGENT)
            .setKeepAlive(true)
            .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, config.requestTimeoutMs()))
            .setDecompressionSupported(true),
        new PoolOptions().setHttp1MaxSize(config.maxConnections()).setMaxWaitQueueSize(-1));
    this.throttle = throttle;
    this.metrics = new GoogleMetrics(registry, throttle);
    this.calendar = new CalendarClient(client, config);
    this.oauth = new OAuthClient(client, config, metrics);
    this.accessTokens = new AccessTokens(vertx.eventBus());
  }

  /** Calls for an integration, with access tokens from the token verticle ({@link AccessTokens}). */
  public GoogleCall call(long integrationId) {
    return call(refused -> accessTokens.get(integrationId, refused, false), null);
  }

  /** As {@link #call(long)}; byStatus receives the outcome of every attempt ("200", "429 rateLimitExceeded", "0"). */
  public GoogleCall call(long integrationId, Map<String, Integer> byStatus) {
    return call(integrationId, byStatus, false);
  }

  /**
   * As {@link #call(long, Map)}; activeAsRead: the caller has just read the integration as active (a sync's claim), so
   * the first token request asks the token verticle not to read the status again ({@code Requests.TokenGet#active}).
   */
  public GoogleCall call(long integrationId, Map<String, Integer> byStatus, boolean activeAsRead) {
    return call(refused -> accessTokens.get(integrationId, refused, activeAsRead), byStatus);
  }

  /** Calls with access tokens from elsewhere (a disconnect, which holds the integration's refresh lease). */
  public GoogleCall call(TokenSource tokens) {
    return call(tokens, null);
  }

  private GoogleCall call(TokenSource tokens, Map<String, Integer> byStatus) {
    return new GoogleCall(vertx, calendar, throttle, policy, metrics, tokens, byStatus);
  }

  public OAuthClient oauth() {
    return oauth;
  }

  /** The key of google.serviceAccountKeyFile (domain-wide delegation), or null when none is configured. */
  public ServiceAccountKey serviceAccount() {
    return serviceAccount;
  }

  public GoogleThrottle throttle() {
    return throttle;
  }

  public GoogleConfig config() {
    return config;
  }

  public void close() {
    client.close();
  }
}
