package org.calsync.google;

import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import java.util.function.Function;
import org.calsync.bus.Addresses;

/** Access tokens from the token verticle over the event bus ({@link Addresses#TOKEN_GET}). */
public final class AccessTokens {
  private final EventBus bus;

  public AccessTokens(EventBus bus) {
    this.bus = bus;
  }

  /** force: the token just handed out was refused (401); refresh unless another process already did. */
  public Future<String> get(long integrationId, boolean force) {
    return bus.<JsonObject>request(Addresses.TOKEN_GET, new JsonObject().put("integrationId", integrationId).put("force", force))
        .map(m -> m.body().getString("accessToken"));
  }

  /** Runs a call with the integration's access token; on 401 refreshes once and runs it again. */
  public <T> Future<T> withToken(long integrationId, Function<String, Future<T>> call) {
    return get(integrationId, false).compose(call).recover(err -> {
      if (err instanceof GoogleApiException g && g.kind() == GoogleApiException.Kind.AUTH) {
        return get(integrationId, true).compose(call);
      }
      return Future.failedFuture(err);
    });
  }
}
