package org.calsync.token;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.calsync.google.Google;
import org.calsync.google.GoogleApiException;
import org.calsync.google.GoogleCall;
import org.calsync.google.TokenSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops an integration's live push channels at Google (channels.stop) during a disconnect, before the grant is
 * revoked (afterwards no token could stop them and Google would keep delivering until expiry). The rows are left
 * live until the erasure deletes them: while the integration is active the push keeper neither stops them (no double
 * stop) nor opens replacements for them (a stopped row would make it open a new channel). Uses the stored access token
 * while it has a minute left, else one refresh (a new signed assertion for a delegated integration; the disconnect holds
 * the refresh lease); calls go through
 * {@link Google} (throttle, retries; a 401 forces that refresh once). A channel Google no longer knows (404) counts as
 * stopped. Never fails: what could not be stopped is counted.
 */
final class ChannelStops {
  private static final Logger log = LoggerFactory.getLogger(ChannelStops.class);
  private static final long MIN_LIFE_MS = 60_000;

  /**
   * refreshToken: the grant's refresh token after this step (Google may rotate it on refresh), or null; accessToken:
   * the newest access token known (a delegated integration has only these), or null.
   */
  record Result(long stopped, long notStopped, String refreshToken, String accessToken) {
  }

  private record Live(String id, String resourceId) {
  }

  private final Pool pool;
  private final Google google;

  ChannelStops(Pool pool, Google google) {
    this.pool = pool;
    this.google = google;
  }

  /** creds: the decrypted credentials, or null when none are readable. */
  Future<Result> stopAll(long integrationId, JsonObject creds, OffsetDateTime accessExpiresAt) {
    String refreshToken = creds == null ? null : creds.getString("refresh_token");
    String stored = creds == null ? null : creds.getString("access_token");
    return live(integrationId).compose(live -> {
      if (live.isEmpty()) return Future.succeededFuture(new Result(0, 0, refreshToken, stored));
      if (creds == null) return Future.succeededFuture(new Result(0, live.size(), null, null));
      boolean usable = stored != null && accessExpiresAt != null
          && accessExpiresAt.toInstant().toEpochMilli() - System.currentTimeMillis() > MIN_LIFE_MS;
      Session s = new Session(integrationId, usable ? stored : null, refreshToken, creds.getString(DelegatedGrant.SUBJECT));
      GoogleCall calls = google.call(s);
      Future<Void> chain = Future.succeededFuture();
      for (Live c : live) chain = chain.compose(v -> s.stop(calls, c));
      return chain.transform(ar -> {
        if (s.failed > 0) {
          log.atWarn().setMessage("push channels not stopped at Google; they lapse at their expiry")
              .addKeyValue("integration", integrationId).addKeyValue("count", s.failed).log();
        }
        return Future.succeededFuture(new Result(s.stopped, s.failed, s.refreshToken, s.access != null ? s.access : stored));
      });
    }, err -> {
      log.atWarn().setMessage("push channels of a disconnected integration could not be read; erasing anyway")
          .addKeyValue("integration", integrationId).addKeyValue("error", err.getClass().getSimpleName()).log();
      return Future.succeededFuture(new Result(0, 0, refreshToken, stored));
    });
  }

  private Future<List<Live>> live(long integrationId) {
    return pool.preparedQuery("SELECT p.id, p.resource_id FROM push_channels p JOIN calendars c ON c.id = p.calendar_id "
            + "WHERE c.integration_id = $1 AND p.stopped_at IS NULL AND p.resource_id IS NOT NULL AND p.expires_at > now()")
        .execute(Tuple.of(integrationId)).map(rs -> {
          List<Live> out = new ArrayList<>(rs.size());
          for (Row r : rs) out.add(new Live(r.getString(0), r.getString(1)));
          return out;
        });
  }

  /** One disconnect's token state; calls run one after another. */
  private final class Session implements TokenSource {
    final long integrationId;
    String access;
    String refreshToken;
    final String delegatedSubject;
    boolean refreshed;
    long stopped;
    long failed;

    Session(long integrationId, String access, String refreshToken, String delegatedSubject) {
      this.integrationId = integrationId;
      this.access = access;
      this.refreshToken = refreshToken;
      this.delegatedSubject = delegatedSubject;
    }

    Future<Void> stop(GoogleCall calls, Live c) {
      return calls.stopChannel(c.id(), c.resourceId())
          .recover(err -> err instanceof GoogleApiException g && g.status() == 404 ? Future.succeededFuture() : Future.failedFuture(err))
          .transform(ar -> {
            if (ar.succeeded()) {
              stopped++;
              log.atInfo().setMessage("push channel stopped").addKeyValue("integration", integrationId)
                  .addKeyValue("channel", c.id()).addKeyValue("reason", "disconnected").log();
            } else {
              failed++;
              log.atWarn().setMessage("channels.stop failed").addKeyValue("integration", integrationId)
                  .addKeyValue("channel", c.id()).addKeyValue("error", ar.cause().getMessage()).log();
            }
            return Future.succeededFuture();
          });
    }

    @Override
    public Future<String> get(String refused) {
      return access != null && refused == null ? Future.succeededFuture(access) : refresh();
    }

    private Future<String> refresh() {
      if (refreshed) return Future.failedFuture(access == null ? "no access token" : "the refreshed access token was refused");
      refreshed = true;
      if (delegatedSubject != null) return new DelegatedGrant(google).token(delegatedSubject).map(t -> access = t.accessToken());
      if (refreshToken == null || refreshToken.isEmpty()) return Future.failedFuture("no refresh token stored");
      return google.oauth().refresh(refreshToken).map(t -> {
        access = t.accessToken();
        if (t.refreshToken() != null && !t.refreshToken().isEmpty()) refreshToken = t.refreshToken();
        return access;
      });
    }
  }
}
