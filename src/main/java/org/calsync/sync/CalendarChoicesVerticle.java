package org.calsync.sync;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.calsync.bus.Addresses;
import org.calsync.bus.BusFailure;
import org.calsync.bus.Messages;
import org.calsync.bus.Requests.CalendarUpdate;
import org.calsync.bus.Requests.CalendarsList;

/** Serves {@link Addresses#CALENDARS_LIST} and {@link Addresses#CALENDARS_UPDATE} (contracts there). */
public final class CalendarChoicesVerticle extends VerticleBase {
  private final Pool pool;
  private CalendarChoices choices;

  public CalendarChoicesVerticle(Pool pool) {
    this.pool = pool;
  }

  @Override
  public Future<?> start() {
    choices = new CalendarChoices(pool);
    var bus = vertx.eventBus();
    return Future.join(
        bus.consumer(Addresses.CALENDARS_LIST, msg -> Messages.serve(msg, CalendarsList::parse,
            r -> unavailable(choices.list(r.integrationId())))).completion(),
        bus.consumer(Addresses.CALENDARS_UPDATE, msg -> Messages.serve(msg, CalendarUpdate::parse,
            u -> unavailable(choices.update(u, "emr")).onSuccess(reply -> {
              if (reply.getBoolean("syncQueued")) vertx.eventBus().publish(Addresses.JOBS_AVAILABLE, new JsonObject());
            }))).completion());
  }

  private static Future<JsonObject> unavailable(Future<JsonObject> f) {
    return f.recover(err -> Future.failedFuture(err instanceof BusFailure ? err
        : BusFailure.unavailable("calendars: " + err.getMessage())));
  }
}
