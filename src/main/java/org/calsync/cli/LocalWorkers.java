package org.calsync.cli;

import io.vertx.core.Future;
import java.util.Collection;
import java.util.Set;
import java.util.function.Supplier;
import org.calsync.App;
import org.calsync.VertxRuntime;
import org.calsync.booking.BookingVerticle;
import org.calsync.config.CalsyncConfig;
import org.calsync.sync.SyncWorkerVerticle;

/**
 * The sync workers a command runs in its own process (with the booking verticle that follows their syncs, as in the
 * daemon), limited to the command's integrations: on a live database they never take other integrations' due jobs.
 * Use with an App started without workers; they are undeployed, releasing unfinished jobs, before the body's result
 * is returned.
 */
final class LocalWorkers {
  private LocalWorkers() {
  }

  static <T> Future<T> around(VertxRuntime rt, CalsyncConfig config, App app, Collection<Long> integrationIds, Supplier<Future<T>> body) {
    var vertx = rt.vertx();
    return vertx.deployVerticle(new BookingVerticle(config, app.pool(), app.google())).compose(booking ->
        vertx.deployVerticle(new SyncWorkerVerticle(config, app.pool(), rt.registry(), app.google(),
            Set.copyOf(integrationIds)))
            .compose(worker -> body.get().eventually(() -> vertx.undeploy(worker)))
            .eventually(() -> vertx.undeploy(booking)));
  }
}
